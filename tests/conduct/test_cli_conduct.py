"""`streetlight conduct ...` on a fresh SQLite database: enrol, line manager, stats, purge."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from streetlight.cli.main import app
from tests.conftest import Writer

runner = CliRunner()


def test_enrol_a_recipient_record_a_line_and_count(write: Writer, tmp_path: Path) -> None:
    db = ["--database", f"sqlite:///{tmp_path / 'conduct.db'}"]
    staff = [*db, "--store", str(tmp_path / "data")]
    assert runner.invoke(app, ["db", "upgrade", *db]).exit_code == 0
    officers = write(
        "officers.csv",
        "warrant_number,name,rank,unit\nPC1,Ann Lee,PC,Response\nPS2,Bo Kay,PS,Response\n",
    )
    assert runner.invoke(app, ["officers", "import", str(officers), *db]).exit_code == 0
    added = runner.invoke(
        app, ["staff", "add", "psd", "--role", "supervisor", *staff],
        input="a long enough password\na long enough password\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    enrolled = runner.invoke(
        app, ["conduct", "enrol", "PSD", "--context", "public", "--email", "psd@force.example", *db],
        input="a recipient's password\na recipient's password\n",
    )  # fmt: skip
    assert enrolled.exit_code == 0, enrolled.output
    assert "enrolled 'PSD' as a public recipient" in enrolled.output
    code = enrolled.output.strip().splitlines()[-1]
    assert len(code.replace("-", "")) == 52  # 260 bits, shown once
    again = runner.invoke(
        app, ["conduct", "enrol", "psd", "--context", "staff", "--password", "x" * 12, *db]
    )
    assert again.exit_code == 1 and "already enrolled" in again.stderr
    nobody = runner.invoke(
        app, ["conduct", "enrol", "nobody", "--context", "staff", "--password", "x" * 12, *db]
    )
    assert nobody.exit_code == 1 and "no staff account is called 'nobody'" in nobody.stderr

    wrong = runner.invoke(
        app, ["conduct", "recover", "psd", "--code", "0000", "--password", "y" * 12, *db]
    )
    assert wrong.exit_code == 1 and "does not open it" in wrong.stderr
    recovered = runner.invoke(
        app, ["conduct", "recover", "psd", "--code", code.lower(), "--password", "y" * 12, *db]
    )
    assert recovered.exit_code == 0, recovered.output
    fresh = recovered.output.strip().splitlines()[-1]
    assert fresh != code and len(fresh.replace("-", "")) == 52
    changed = runner.invoke(
        app, ["conduct", "password", "psd", "--old", "y" * 12, "--new", "z" * 12, *db]
    )
    assert changed.exit_code == 0 and "key password changed" in changed.output
    refused = runner.invoke(
        app, ["conduct", "password", "psd", "--old", "y" * 12, "--new", "w" * 12, *db]
    )
    assert refused.exit_code == 1

    lined = runner.invoke(app, ["conduct", "line-manager", "PC1", "--manager", "PS2", *db])
    assert lined.exit_code == 0 and "PC1: line manager PS2" in lined.output
    loop = runner.invoke(app, ["conduct", "line-manager", "PS2", "--manager", "PC1", *db])
    assert loop.exit_code == 1 and "would make the chain loop" in loop.stderr

    out = tmp_path / "counts.csv"
    counted = runner.invoke(app, ["conduct", "stats", "--csv", str(out), *db])
    assert counted.exit_code == 0 and out.read_text().startswith("month,context,received")
    purged = runner.invoke(app, ["conduct", "purge", *db])
    assert purged.exit_code == 0 and "erased 0 closed report(s)" in purged.output
