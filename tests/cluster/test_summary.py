"""The combined summary of an all-forces run (`cluster.summary`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from streetlight.cluster.summary import Row, write_summary


def test_the_same_rows_as_csv_json_and_markdown(tmp_path: Path) -> None:
    rows: list[Row] = [
        {"force": "cleveland", "model": "ew-6", "recommended": True, "pai": 6.125},
        {"force": "durham", "model": "ew-6", "recommended": False, "pai": None},
    ]
    paths = write_summary(tmp_path, "bt", "Backtests", rows, {"kent": "no incidents"})
    assert [p.name for p in paths] == [
        "bt-all-forces.csv",
        "bt-all-forces.json",
        "bt-all-forces.md",
    ]
    with paths[0].open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [r["force"] for r in table] == ["cleveland", "durham"]
    assert table[0]["pai"] == "6.125"
    data = json.loads(paths[1].read_text(encoding="utf-8"))
    assert data["rows"] == rows
    assert data["failed"] == {"kent": "no incidents"}
    markdown = paths[2].read_text(encoding="utf-8")
    assert "| cleveland | ew-6 | yes | 6.125 |" in markdown
    assert "- kent: no incidents" in markdown
