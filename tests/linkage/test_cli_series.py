"""`linkage series` through a small Typer app of its own (the group is registered on the main
app elsewhere): files in, the planted unsolved series out."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import typer
from typer.testing import CliRunner

from streetlight.cli.linkage_series_cmd import series_command
from tests.linkage.planted import planted

app = typer.Typer()
app.command("series")(series_command)
# A second command, so that Typer keeps "series" as a subcommand name.
app.command("noop")(lambda: None)
runner = CliRunner()

MAPPING = """
[crimes]
id = "id"
x = "x"
y = "y"
date_from = "from"
date_to = "to"
date_format = "%Y-%m-%dT%H:%M"
categorical = ["entry"]

[offenders]
offender = "offender"
crime = "id"
"""


def _files(tmp_path: Path) -> tuple[list[str], np.ndarray]:
    """Crime, offender and mapping files; series 0-9 unsolved, 10-29 solved, half the one-offs
    solved. Returns the arguments naming them and each crime's series."""
    crimes, who = planted(series=30, size=5, one_off=200, seed=12)
    with (tmp_path / "crimes.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "x", "y", "from", "to", "entry"])
        for k in range(len(crimes)):
            w.writerow([
                crimes.ids[k], f"{crimes.x[k]:.1f}", f"{crimes.y[k]:.1f}",
                str(crimes.t_from[k]), str(crimes.t_to[k]),
                crimes.levels["entry"][crimes.categorical["entry"][k]],
            ])  # fmt: skip
    with (tmp_path / "offenders.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["offender", "id"])
        for k, s in enumerate(who.tolist()):
            if s >= 10:
                w.writerow([f"s{s}", crimes.ids[k]])
            elif s < 0 and k % 2:
                w.writerow([f"one{k}", crimes.ids[k]])
    (tmp_path / "map.toml").write_text(MAPPING)
    args = [
        "--crimes",
        str(tmp_path / "crimes.csv"),
        "--offenders",
        str(tmp_path / "offenders.csv"),
    ]
    return [*args, "--mapping", str(tmp_path / "map.toml")], who


def test_series_writes_the_planted_unsolved_series(tmp_path: Path) -> None:
    args, who = _files(tmp_path)
    out = tmp_path / "series.csv"
    result = runner.invoke(
        app, ["series", *args, "--threshold", "5", "--link", "complete", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "series" in result.output and str(out) in result.output
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "crime_id",
        "series",
        "series_size",
        "strongest_log_bf",
        "weakest_log_bf",
    ]
    # Every unsolved crime once: series 0-9's 50 and the 100 unsolved one-offs.
    assert len(rows) == 150 and len({r["crime_id"] for r in rows}) == 150
    label = {r["crime_id"]: r["series"] for r in rows}
    for s in range(10):
        found = {label[f"c{k:04d}"] for k in np.flatnonzero(who == s)}
        assert len(found) == 1 and found != {""}


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    args, _ = _files(tmp_path)
    out = str(tmp_path / "series.csv")
    result = runner.invoke(
        app, ["series", *args, "--threshold", "5", "--link", "ward", "--out", out]
    )
    assert result.exit_code == 1 and "--link: 'ward'" in result.output
    missing = [a if a != str(tmp_path / "crimes.csv") else str(tmp_path / "nope.csv") for a in args]
    result = runner.invoke(app, ["series", *missing, "--threshold", "5", "--out", out])
    assert result.exit_code == 1 and "nope.csv: not found" in result.output
    assert not Path(out).exists()
    nowhere = str(tmp_path / "no-such-folder" / "series.csv")
    result = runner.invoke(app, ["series", *args, "--threshold", "5", "--out", nowhere])
    assert result.exit_code == 1 and "--out:" in result.output and "cannot write" in result.output
