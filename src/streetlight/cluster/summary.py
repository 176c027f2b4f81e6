"""The combined summary of an all-forces run: the same rows as CSV, JSON and a Markdown table.

Rows are flat (force first, then plain values), one table across forces, so a national unit
can sort and compare forces in a spreadsheet; forces whose task failed are listed with why.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from streetlight.cluster.staging import write_text_atomic

Value = str | int | float | bool | None
Row = Mapping[str, Value]


def write_summary(
    folder: Path, stem: str, title: str, rows: Sequence[Row], failed: Mapping[str, str]
) -> list[Path]:
    """`<stem>-all-forces.csv`, `.json` and `.md` in `folder`; returns their paths."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    paths = [folder / f"{stem}-all-forces.{suffix}" for suffix in ("csv", "json", "md")]
    data = {"title": title, "rows": [dict(r) for r in rows], "failed": dict(sorted(failed.items()))}
    texts = [
        _csv(columns, rows),
        json.dumps(data, indent=1) + "\n",
        _markdown(title, columns, rows, failed),
    ]
    for path, text in zip(paths, texts, strict=True):
        write_text_atomic(path, text)
    return paths


def _csv(columns: list[str], rows: Sequence[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def _markdown(
    title: str, columns: list[str], rows: Sequence[Row], failed: Mapping[str, str]
) -> str:
    lines = [f"# {title}", ""]
    if rows:
        lines += [
            "| " + " | ".join(columns) + " |",
            "|" + "---|" * len(columns),
            *("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows),
        ]
    if failed:
        lines += ["", "## Forces that failed", ""]
        lines += [f"- {force}: {why}" for force, why in sorted(failed.items())]
    return "\n".join(lines) + "\n"
