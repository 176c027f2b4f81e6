"""`streetlight db`, `officers` and `staff` on a fresh database (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.db.engine import make_engine
from streetlight.db.migrate import head_revision
from tests.conftest import Writer
from tests.db.factories import bypass_audit_guard

runner = CliRunner()


def test_import_officers_and_duty_then_verify_the_audit_log(
    empty_database_url: str, write: Writer, tmp_path: Path
) -> None:
    db = ["--database", empty_database_url]
    staff = [*db, "--store", str(tmp_path / "data")]  # its development key seals TOTP secrets
    upgraded = runner.invoke(app, ["db", "upgrade", *db])
    assert upgraded.exit_code == 0 and f"at revision {head_revision()}" in upgraded.output
    officers = write(
        "officers.csv", "warrant_number,name,rank,unit\nPC1,Ann Lee,PC,Response\nPC2,,PC,Response\n"
    )
    result = runner.invoke(app, ["officers", "import", str(officers), *db])
    assert result.exit_code == 1  # a row was skipped: say so in the exit status
    assert f"{officers}: 2 row(s): 1 imported, 1 skipped" in result.output
    assert f"{officers}: row 3, name: empty" in result.stderr
    duty = write("duty.csv", "warrant_number,duty,dress,area\nPC1,on,plain_clothes,Old Town\n")
    result = runner.invoke(app, ["officers", "duty", str(duty), *db])
    assert result.exit_code == 0, result.output
    added = runner.invoke(
        app, ["staff", "add", "ann", "--role", "officer", "--warrant", "PC1", "--name", "Ann Lee", *staff],
        input="a long enough password\na long enough password\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    secret = re.search(r"TOTP secret: ([A-Z2-7]+)", added.output)
    assert secret and pyotp.TOTP(secret.group(1)).now().isdigit()
    assert "otpauth://totp/Streetlight:ann?secret=" in added.output
    reset = runner.invoke(app, ["staff", "reset-totp", "ANN", *staff])
    assert reset.exit_code == 0, reset.output
    fresh = re.search(r"new TOTP secret for 'ann': ([A-Z2-7]+)", reset.output)
    assert fresh and fresh.group(1) != secret.group(1)
    assert runner.invoke(app, ["staff", "reset-totp", "nobody", *staff]).exit_code == 1
    verified = runner.invoke(app, ["db", "verify-audit", *db])
    assert verified.exit_code == 0 and "audit log: 5 row(s), chain intact" in verified.output
    anchor = re.search(r"; anchor (5:[0-9a-f]{64})", verified.output)
    assert anchor is not None
    held = runner.invoke(app, ["db", "verify-audit", "--anchor", anchor.group(1), *db])
    assert held.exit_code == 0 and f"still holds {anchor.group(1)}" in held.output
    malformed = runner.invoke(app, ["db", "verify-audit", "--anchor", "4:abc", *db])
    assert malformed.exit_code == 2 and "--anchor" in malformed.output

    engine = make_engine(empty_database_url)
    bypass_audit_guard(engine, "UPDATE audit_log SET actor = 'nobody' WHERE id = 2")
    engine.dispose()
    tampered = runner.invoke(app, ["db", "verify-audit", *db])
    assert tampered.exit_code == 1
    assert tampered.stderr.strip() == "error: audit log: row 2: content does not match its hash"

    engine = make_engine(empty_database_url)
    bypass_audit_guard(engine, "DELETE FROM audit_log WHERE id >= 2")  # a valid, shorter chain
    engine.dispose()
    assert runner.invoke(app, ["db", "verify-audit", *db]).exit_code == 0
    cut = runner.invoke(app, ["db", "verify-audit", "--anchor", anchor.group(1), *db])
    assert cut.exit_code == 1
    assert cut.stderr.strip() == (
        "error: audit log: row 5: missing: the log ends at row 1, rows after it were deleted"
    )


def test_errors_are_one_line(empty_database_url: str, write: Writer, tmp_path: Path) -> None:
    db = ["--database", empty_database_url, "--store", str(tmp_path / "data")]
    missing = runner.invoke(app, ["officers", "import", "nowhere.csv", *db])
    assert missing.exit_code == 1 and missing.stderr.strip() == "error: nowhere.csv: no such file"
    weak = runner.invoke(
        app, ["staff", "add", "bob", "--role", "admin", "--password", "short", *db]
    )
    assert weak.exit_code == 1 and "password: at least 12 characters" in weak.stderr
    unknown = runner.invoke(
        app,
        ["staff", "add", "cy", "--role", "officer", "--warrant", "X1", "--password", "x" * 12, *db],
    )
    assert unknown.exit_code == 1 and "no officer with warrant number 'X1'" in unknown.stderr


def test_an_unreachable_database_is_one_line() -> None:
    from tests.db.postgres import free_port

    url = f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{free_port()}/none"
    result = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert (
        line.startswith("error: postgresql+psycopg://postgres:***@127.0.0.1:") and "\n" not in line
    )
    assert "hunter2" not in result.output + result.stderr
