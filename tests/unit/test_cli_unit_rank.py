"""`streetlight unit rank` on SQLite and PostgreSQL: the example casework ranked by token with
its scores, the listing in the audit log, dates that see nothing later, one-line errors, and no
name or force id on the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.db.models import AuditEntry
from streetlight.unit.harm import SUBGROUP_HARM
from tests.unit.casework_data import NAMES, REFS, import_example

runner = CliRunner()


def _tokens(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions.begin() as session:
        return {ref: person.token for ref, person in import_example(session).items()}


def _rank(database_url: str, *options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["unit", "rank", *options, "--database", database_url])
    return result.exit_code, result.output


def test_rank_lists_tokens_scores_and_records_the_listing(
    database_url: str, sessions: sessionmaker[Session]
) -> None:
    token = _tokens(sessions)
    code, out = _rank(database_url, "--as-of", "2025-10-28", "--explain")
    assert code == 0, out
    assert "v100 as of 2025-10-28: 3 people ranked; the first 3 by token." in out
    # Rape (2,555 days); assault without and with injury (10 + 365); harassment and stalking.
    rows = [
        (1, "N100655", "2,555.00", 1, 1, "CL/00601/25"),
        (2, "N100871", "375.00", 2, 2, "CL/00790/25"),
        (3, "N100234", "20.00", 2, 1, "CL/00644/25"),
    ]
    for rank, ref, score, offences, victims, top in rows:
        assert re.search(rf"{rank} +{token[ref]} +{score} +{offences} +{victims} +{top}", out), out
    assert (
        f"{token['N100871']}: Rank 2 of 3 by v100 as of 2025-10-28. 2 VAWG allegation(s) as "
        "suspect reported in the 365 days to 2025-10-28, against 2 victim(s): CL/00587/25 "
        "(2025-07-14, Violence without injury, 10) + CL/00790/25 (2025-08-30, Violence with "
        "injury, 365) = 375 CCHI days."
    ) in " ".join(out.split())
    for value in (*NAMES, *REFS):
        assert value not in out, value
    with sessions() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.id > 1)))
    assert [(e.actor, e.action, e.subject, json.loads(e.details)) for e in entries] == [
        *(
            ("cli", "unit.consult", f"unit_person:{token[ref]}",
             {"reason": f"harm ranking v100 as of 2025-10-28: rank {rank} of 3"})
            for rank, ref, *_ in rows
        ),
        ("cli", "unit.view", "unit_page:rank",
         {"method": "v100", "as_of": "2025-10-28", "listed": 3, "ranked": 3}),
    ]  # fmt: skip
    verify = runner.invoke(app, ["db", "verify-audit", "--database", database_url])
    assert verify.exit_code == 0 and "chain intact" in verify.output


def test_rank_sees_nothing_after_its_date_and_takes_other_methods_and_weights(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    token = _tokens(sessions)
    # The rape (reported 21 July) is not yet known on 20 July.
    code, out = _rank(database_url, "--as-of", "2025-07-20", "--method", "count")
    assert code == 0, out
    assert "count as of 2025-07-20: 2 people ranked" in out
    assert token["N100655"] not in out
    # rfgv: only N100871 has two domestic-abuse records against two victims.
    code, out = _rank(database_url, "--as-of", "2025-10-28", "--method", "rfgv", "--top", "5")
    assert code == 0, out
    assert "rfgv as of 2025-10-28: 1 people ranked" in out
    assert re.search(rf"1 +{token['N100871']} +12\.75 +2 +2 +CL/00790/25", out), out
    weights = tmp_path / "harm.csv"
    text = SUBGROUP_HARM.read_text(encoding="utf-8")
    weights.write_text(text.replace("Rape offences,17,1825,2555,", "Rape offences,17,1825,100,"))
    code, out = _rank(database_url, "--as-of", "2025-10-28", "--weights", str(weights))
    assert code == 0, out
    assert re.search(rf"1 +{token['N100871']} +375\.00", out), out
    assert re.search(rf"2 +{token['N100655']} +100\.00", out), out


def test_rank_errors_are_one_line(database_url: str, tmp_path: Path) -> None:
    code, out = _rank(database_url, "--as-of", "28/10/2025")
    assert code == 1 and out.strip() == "error: --as-of: '28/10/2025' is not a date (YYYY-MM-DD)"
    code, out = _rank(database_url, "--as-of", "2025-10-28", "--method", "v200")
    assert code == 1 and "--method: 'v200' is not one of v100, rfgv, count, recent" in out
    bad = tmp_path / "harm.csv"
    bad.write_text(SUBGROUP_HARM.read_text(encoding="utf-8").replace(",2555,", ",many,"))
    code, out = _rank(database_url, "--as-of", "2025-10-28", "--weights", str(bad))
    assert code == 1
    assert " ".join(out.split()) == f"error: {bad}: row 3, median_days: not a number"


def test_rank_is_documented() -> None:
    assert "rank" in runner.invoke(app, ["unit", "--help"]).output
    text = runner.invoke(app, ["unit", "rank", "--help"]).output
    for option in ("--as-of", "--top", "--method", "--weights", "--rfgv-weights", "--explain"):
        assert option in text
