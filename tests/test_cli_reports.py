"""`streetlight reports export|layer`, `hotspots --reports` and `plan --reports` on the bundled
sample with accepted reports in a real database (the export on SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.db.engine import make_engine, session_factory
from streetlight.db.models import PublicReport
from streetlight.reports.categories import FACTOR_CODE, Factor, ReportStatus, band_label
from streetlight.store import Store
from tests.conftest import SAMPLE_ZIP
from tests.deploy.test_plan_maps import figure_of

runner = CliRunner()
VIOLENCE = "Violence and sexual offences"
LIGHTING = 1 << FACTOR_CODE[Factor.POOR_LIGHTING]
FOLLOWED = 1 << FACTOR_CODE[Factor.FOLLOWED]
_serial = itertools.count()

Point = tuple[float, float] | None


def add_reports(
    url: str,
    points: list[Point],
    mask: int = LIGHTING,
    band: int = 7,
    status: ReportStatus = ReportStatus.ACCEPTED,
) -> None:
    """Reports at `points` (None: a typed description only), straight into the table."""
    engine = make_engine(url)
    with session_factory(engine)() as session, session.begin():
        for point in points:
            n = next(_serial)
            session.add(
                PublicReport(
                    receipt_hash=hashlib.sha256(f"receipt {n}".encode()).hexdigest(),
                    nonce_hash=hashlib.sha256(f"nonce {n}".encode()).hexdigest(),
                    submitted_on=date(2025, 11, 20),
                    occurred_on=date(2025, 11, 19),
                    time_band=band,
                    factor_mask=mask,
                    lon=point[0] if point else None,
                    lat=point[1] if point else None,
                    place="" if point else "the underpass by the station",
                    text="Someone followed me, call 07700 900123",
                    status=status,
                )
            )
    engine.dispose()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports-cli") / "store"
    result = runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "--store", str(path), "-q"])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def places(store: Path) -> tuple[Point, Point]:
    """Two incident points of the sample (so inside the study area), far apart."""
    points = (
        Store.open(store).incidents(columns=["lon", "lat"]).drop_nulls().unique().sort("lon", "lat")
    )
    first, last = points.row(0), points.row(points.height - 1)
    return (first[0], first[1]), (last[0], last[1])


LONDON: Point = (-0.1276, 51.5072)


def fill(url: str, places: tuple[Point, Point]) -> None:
    """6 accepted reports at one place (2 naming being followed too), 2 at another, one without a
    point, one far outside the area, and one still pending (never counted)."""
    a, b = places
    add_reports(url, [a] * 4)
    add_reports(url, [a] * 2, mask=LIGHTING | FOLLOWED, band=1)
    add_reports(url, [b] * 2, mask=FOLLOWED, band=0)
    add_reports(url, [None, LONDON])
    add_reports(url, [a], status=ReportStatus.PENDING)


@pytest.fixture(scope="module")
def sqlite_url(
    store: Path, places: tuple[Point, Point], sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:  # fmt: skip
    """A SQLite database at the current schema holding the reports of `fill`."""
    path = tmp_path_factory.mktemp("reports-db") / "streetlight.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    fill(url, places)
    return url


def test_every_reports_command_is_documented() -> None:
    assert "reports" in runner.invoke(app, ["--help"]).output
    group = runner.invoke(app, ["reports", "--help"]).output
    assert "export" in group and "layer" in group
    for name in ("export", "layer"):
        text = runner.invoke(app, ["reports", name, "--help"]).output
        assert "--out" in text and "--database" in text
    assert "--factor" in runner.invoke(app, ["reports", "export", "--help"]).output
    assert "--reports" in runner.invoke(app, ["hotspots", "--help"]).output
    assert "--reports-weight" in runner.invoke(app, ["plan", "--help"]).output


def test_export_shows_only_cells_of_five_or_more(
    database_url: str, places: tuple[Point, Point], tmp_path: Path
) -> None:
    fill(database_url, places)
    db = ["--database", database_url, "--store", str(tmp_path / "no-store")]
    csv, geo = tmp_path / "public.csv", tmp_path / "public.geojson"
    result = runner.invoke(app, ["reports", "export", *db, "--out", str(csv)])
    assert result.exit_code == 0, result.output
    assert "10 accepted reports (9 with a point): 1 public cells of 250 m in EPSG:27700" in (
        result.output
    )
    cells = pl.read_csv(csv)
    assert cells["reports"].to_list() == [6]
    # all 6 name poor lighting; 2 being followed, 4 late and 2 early would each single out a few
    assert cells["poor_lighting"].to_list() == [6] and cells["followed"].to_list() == [None]
    assert cells[band_label(7)].to_list() == [None] and cells[band_label(1)].to_list() == [None]
    a = places[0]
    assert a is not None and (cells["lon"][0], cells["lat"][0]) != a
    assert "07700" not in csv.read_text() and "report_id" not in cells.columns
    result = runner.invoke(app, ["reports", "export", *db, "--out", str(geo)])
    assert result.exit_code == 0, result.output
    features = json.loads(geo.read_text())["features"]
    assert len(features) == 1 and features[0]["geometry"]["type"] == "Polygon"
    # a filter keeps the cells the table shows with 5 or more: poor lighting, not being followed
    result = runner.invoke(
        app, ["reports", "export", *db, "--factor", "poor_lighting", "--out", str(csv)]
    )
    assert result.exit_code == 0 and pl.read_csv(csv)["reports"].to_list() == [6]
    result = runner.invoke(
        app, ["reports", "export", *db, "--factor", "followed", "--out", str(csv)]
    )
    assert result.exit_code == 0, result.output
    assert pl.read_csv(csv).height == 0
    result = runner.invoke(app, ["reports", "export", *db, "--band", "7", "--out", str(csv)])
    assert result.exit_code == 0 and pl.read_csv(csv).height == 0  # band 7 is blank


def test_export_errors_are_one_line(tmp_path: Path, sqlite_url: str) -> None:
    out = ["--out", str(tmp_path / "x.csv")]
    missing = runner.invoke(app, ["reports", "export", "--store", str(tmp_path / "none"), *out])
    assert missing.exit_code == 1
    assert "no database there" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    db = ["--database", sqlite_url]
    unknown = runner.invoke(app, ["reports", "export", *db, "--factor", "dark", *out])
    assert unknown.exit_code == 1
    assert "unknown factor 'dark' (factors: poor_lighting, isolated" in unknown.stderr
    band = runner.invoke(app, ["reports", "export", *db, "--band", "8", *out])
    assert band.exit_code == 2 and "--band" in band.output + band.stderr
    xlsx = runner.invoke(app, ["reports", "export", *db, "--out", str(tmp_path / "x.xlsx")])
    assert xlsx.exit_code == 1 and "unknown output type (use .geojson or .csv)" in xlsx.stderr
    empty = tmp_path / "empty" / "streetlight.db"
    empty.parent.mkdir()
    empty.touch()  # a file with no tables: not migrated
    stale = runner.invoke(app, ["reports", "export", "--database", f"sqlite:///{empty}", *out])
    assert stale.exit_code == 1 and "streetlight db upgrade" in stale.stderr


def test_layer_counts_reports_on_the_study_area(
    store: Path, sqlite_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "layer.csv"
    args = ["reports", "layer", "--store", str(store), "--database", sqlite_url]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "public reports: 10 accepted, 8 used in 2 cells; 2 without a point" in result.output
    table = pl.read_csv(out)
    assert table.columns == ["cell_id", "x", "y", "lon", "lat", "factor", "time_band", "reports"]
    by = {
        (f, b): n
        for f, b, n in table.group_by("factor", "time_band").agg(pl.sum("reports")).iter_rows()
    }
    assert by == {
        ("poor_lighting", 7): 4,
        ("poor_lighting", 1): 2,
        ("followed", 1): 2,
        ("followed", 0): 2,
    }
    assert table["cell_id"].n_unique() == 2 and table["cell_id"][0].startswith("150m:")
    parquet = tmp_path / "layer.parquet"
    assert runner.invoke(app, [*args, "--out", str(parquet)]).exit_code == 0
    assert pl.read_parquet(parquet).equals(table, null_equal=True)


def test_hotspots_draw_reports_as_their_own_layer(
    store: Path, sqlite_url: str, tmp_path: Path
) -> None:
    base = ["hotspots", "--store", str(store), "--category", VIOLENCE, "--month", "2025-12"]
    base += ["--model", "ew-6", "--database", sqlite_url]
    plain = runner.invoke(app, [*base, "--out", str(tmp_path / "plain.csv")])
    assert plain.exit_code == 0 and "public reports" not in plain.output
    outs = [tmp_path / f"with{s}" for s in (".csv", ".png", ".html")]
    result = runner.invoke(app, [*base, "--reports", *(x for o in outs for x in ("--out", str(o)))])
    assert result.exit_code == 0, result.output
    assert "public reports: 10 accepted, 8 used in 2 cells; 2 without a point" in result.output
    # the forecast's CSV contract is untouched
    assert outs[0].read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert outs[1].read_bytes()[:4] == b"\x89PNG"
    page = outs[2].read_text()
    data, layout = figure_of(page)
    layer = [t for t in data if t.get("name") == "public reports of feeling unsafe"]
    assert len(layer) == 1 and sorted(layer[0]["marker"]["color"]) == [2, 6]
    assert layer[0]["marker"]["symbol"] == "square-open" and layout["showlegend"] is True
    assert "8 in 2 cells" in page
    only_csv = runner.invoke(app, [*base, "--reports", "--out", str(tmp_path / "x.csv")])
    assert "drawn on .png and .html maps only" in only_csv.output


def test_plan_weighs_reported_cells_as_womens_safety_demand(
    store: Path, sqlite_url: str, tmp_path: Path
) -> None:
    summary = tmp_path / "plan.json"
    base = ["plan", "--store", str(store), "--month", "2025-12", "--officers", "20"]
    base += ["--time-limit", "2", "--database", sqlite_url, "--out", str(summary)]
    result = runner.invoke(app, [*base, "--reports", "--reports-weight", "0.3"])
    assert result.exit_code == 0, result.output
    assert "public reports: 10 accepted, 8 used in 2 cells" in result.output
    # 2 reported cells among thousands: the top-1% mean is far below 2 reports, so both cap at 2 W
    assert "reports in a cell: weight (cells) 6: 0.6 (1), 2: 0.6 (1)" in result.output
    settings = json.loads(summary.read_text())["settings"]
    reported = [p for p in settings["places"] if p["kind"] == "public reports"]
    assert [(p["name"], p["weight"], p["womens_safety"], p["cells"]) for p in reported] == [
        ("public reports: 6 per cell", 0.6, True, 1),
        ("public reports: 2 per cell", 0.6, True, 1),
    ]
    assert settings["reports"]["accepted"] == 10 and settings["reports"]["unplaced"] == 2
    without = runner.invoke(app, base)
    assert without.exit_code == 0 and "public reports" not in without.output
    assert json.loads(summary.read_text())["settings"]["places"] == []
