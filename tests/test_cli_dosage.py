"""`streetlight dosage` on a real plan of the bundled sample, with simulated GPS pings."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from streetlight.cli.main import app
from streetlight.deploy.pings import read_plan
from tests.conftest import SAMPLE_ZIP
from tests.deploy.test_dosage import simulate

runner = CliRunner()
SKIPPED = {("early-003", 2), ("night-002", 7)}
SILENT = "night-009"
BAD_ROWS = [
    "early-001,2025-12-01T07:00:00+00:00,54.5,-1.2",  # duplicate of the first ping
    ",2025-12-01T07:00:00Z,54.5,-1.2",
    "early-002,2025-12-01T07:00:00Z,0,0",
    "early-002,not a time,54.5,-1.2",
    "ghost-001,2025-12-01T08:00:00Z,54.5,-1.2",
    "early-001,2025-12-01T19:00:00Z,54.56,-1.31",
    "early-001,2025-12-01T09:00:00Z",
]


@pytest.fixture(scope="module")
def plan_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """units.csv and schedule.csv of `streetlight plan` for December 2025 on the sample."""
    folder = tmp_path_factory.mktemp("dosage")
    store = str(folder / "store")
    assert runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "--store", store, "-q"]).exit_code == 0
    units, schedule = folder / "units.csv", folder / "schedule.csv"
    args = ["plan", "--store", store, "--month", "2025-12", "--officers", "60"]
    args += ["--time-limit", "5", "--out", str(folder / "posts.csv")]
    result = runner.invoke(app, [*args, "--units", str(units), "--schedule", str(schedule)])
    assert result.exit_code == 0, result.output
    return units, schedule


@pytest.fixture(scope="module")
def pings(plan_files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every unit but one keeping to its schedule (two stops skipped), plus one row per reason."""
    plan = read_plan(*plan_files)
    simulated = simulate(plan, skip=SKIPPED, silent={SILENT})
    path = tmp_path_factory.mktemp("pings") / "pings.csv"
    text = simulated.with_columns(pl.col("lat", "lon").cast(pl.String)).write_csv()
    path.write_text(text + "\n".join(BAD_ROWS) + "\n")
    return path


def dosage(pings: Path, plan_files: tuple[Path, Path], out: Path, *more: str) -> Result:
    units, schedule = plan_files
    args = ["dosage", str(pings), "--units", str(units), "--schedule", str(schedule)]
    return runner.invoke(app, [*args, "--out", str(out), *more])


def test_dosage_of_a_plan_kept_but_for_two_stops_and_a_silent_unit(
    pings: Path, plan_files: tuple[Path, Path], tmp_path: Path
) -> None:
    result = dosage(pings, plan_files, tmp_path)
    assert result.exit_code == 0, result.output
    read = len(pings.read_text().splitlines()) - 1
    assert f"pings.csv: {read:,} rows read: {read - 7:,} accepted, 7 quarantined (" in result.output
    assert "no pings from 2025-12-01 night: night-009" in result.output
    assert re.search(r"early\s+9\s+0\s", result.output)
    stops = pl.read_csv(tmp_path / "stops.csv")
    missed = pl.format("{}:{}", "unit", "order").is_in([f"{u}:{o}" for u, o in SKIPPED])
    assert stops.filter(missed)["delivered_minutes"].to_list() == [0.0, 0.0]
    kept = stops.filter(~missed & (pl.col("unit") != SILENT))
    assert kept.height > 700
    assert (kept["delivered_minutes"] == kept["planned_minutes"]).all()
    assert (stops.filter(pl.col("unit") == SILENT)["delivered_minutes"] == 0).all()
    units = pl.read_csv(tmp_path / "units.csv")
    silent = units.filter(pl.col("unit") == SILENT).row(0, named=True)
    assert (silent["pings"], silent["no_signal_minutes"], silent["first_ping"]) == (0, 480, None)
    assert units.filter(pl.col("unit") == "early-001")["first_ping"][0] == (
        "2025-12-01T07:00:00+00:00"
    )
    shifts = pl.read_csv(tmp_path / "shifts.csv")
    assert shifts["shift"].to_list() == ["early", "late", "night"]
    assert shifts.filter(pl.col("shift") == "night")["silent"][0] == SILENT
    assert shifts.filter(pl.col("shift") == "late")["delivered_share"][0] == 1.0
    quarantine = pl.read_csv(tmp_path / "quarantine.csv")
    assert sorted(quarantine["reason"]) == [
        "bad_coordinate",
        "bad_timestamp",
        "duplicate_ping",
        "missing_value",
        "outside_shift",
        "unknown_unit",
        "wrong_field_count",
    ]
    assert quarantine["row"].to_list() == list(range(read - 5, read + 2))
    assert (tmp_path / "dosage.png").read_bytes()[:4] == b"\x89PNG"
    page = (tmp_path / "dosage.html").read_text()
    assert "night stops" in page and "Plotly" in page and '<script src="http' not in page


def test_naive_times_in_a_given_zone(
    pings: Path, plan_files: tuple[Path, Path], tmp_path: Path
) -> None:
    # The same pings an hour ahead on the wall clock, without offsets, read at +01:00.
    frame = pl.read_csv(pings, infer_schema=False).filter(pl.col("unit_id") == "early-001")
    shifted = frame.with_columns(
        pl.col("timestamp")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", strict=False)
        .dt.offset_by("1h")
        .dt.strftime("%Y-%m-%d %H:%M:%S")
    )
    naive = tmp_path / "naive.csv"
    shifted.write_csv(naive)
    result = dosage(naive, plan_files, tmp_path / "out", "--timezone", "+01:00")
    assert result.exit_code == 0, result.output
    units = pl.read_csv(tmp_path / "out" / "units.csv").filter(pl.col("unit") == "early-001")
    assert units["delivered_share"][0] == 1.0
    assert units["first_ping"][0] == "2025-12-01T08:00:00+01:00"


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", r"^error: \S*nowhere\.csv: no such file or folder$"),
        ("no-lat", r"^error: \S*gps\.csv: no 'lat' column \(columns: unit_id, timestamp, lon\)$"),
        ("zone", r"^error: --timezone: unknown time zone 'Mars/Olympus'"),
        ("schedule", r"^error: \S*units\.csv: no 'unit' column"),
    ],
)
def test_unreadable_inputs_give_one_line_and_exit_1(
    plan_files: tuple[Path, Path], pings: Path, tmp_path: Path, case: str, message: str
) -> None:
    units, schedule = plan_files
    target, more = pings, []
    if case == "missing":
        target = tmp_path / "nowhere.csv"
    elif case == "no-lat":
        target = tmp_path / "gps.csv"
        target.write_text("unit_id,timestamp,lon\nearly-001,2025-12-01T07:00Z,-1.2\n")
    elif case == "zone":
        more = ["--timezone", "Mars/Olympus"]
    else:
        broken = tmp_path / "units.csv"
        broken.write_text(units.read_text().replace("unit,", "callsign,", 1))
        plan_files = (broken, schedule)
    result = dosage(target, plan_files, tmp_path / "out", *more)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(message, lines[0]), result.stderr
    assert not (tmp_path / "out").exists()
