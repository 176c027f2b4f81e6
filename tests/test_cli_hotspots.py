"""`streetlight hotspots` and `streetlight backtest` on the bundled sample."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from streetlight.cli.main import app
from tests.conftest import REPO, SAMPLE_ZIP

runner = CliRunner()
VIOLENCE = "Violence and sexual offences"


def hotspots(store: Path, *args: str) -> Result:
    """`streetlight hotspots` for violence in 2025-12 on `store`, with more arguments."""
    base = ["hotspots", "--store", str(store), "--category", VIOLENCE, "--month", "2025-12"]
    return runner.invoke(app, [*base, *args])


BOUNDARY = REPO / "data" / "sample" / "cleveland-lsoa-2011.geojson"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    assert (
        runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "--store", str(path), "-q"]).exit_code == 0
    )
    return path


def test_hotspots_writes_every_format(store: Path, tmp_path: Path) -> None:
    outs = [tmp_path / f"h{s}" for s in (".csv", ".geojson", ".parquet", ".png", ".html")]
    args = [
        "hotspots",
        "--store",
        str(store),
        "--category",
        VIOLENCE,
        "--month",
        "2025-12",
        "--model",
        "ew-6",
    ]
    result = runner.invoke(app, [*args, *(x for o in outs for x in ("--out", str(o)))])
    assert result.exit_code == 0, result.output
    csv = pl.read_csv(outs[0])
    assert csv.columns == ["cell_id", "x", "y", "lon", "lat", "score", "rank"]
    assert csv["rank"].to_list() == list(range(1, csv.height + 1))
    assert csv["score"].is_sorted(descending=True)
    geo = json.loads(outs[1].read_text())
    assert len(geo["features"]) == csv.height
    ring = geo["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and -2 < ring[0][0] < 0 and 54 < ring[0][1] < 55
    assert pl.read_parquet(outs[2]).height == csv.height
    assert outs[3].read_bytes()[:4] == b"\x89PNG"
    page = outs[4].read_text()
    assert "On or near" in page and '<script src="http' not in page
    assert "1." in result.output and "wrote" in result.output


def test_hotspots_with_a_boundary_uses_its_cells(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.csv"
    result = hotspots(store, "--boundary", str(BOUNDARY), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert pl.read_csv(out).height > 20_000  # every cell touching the LSOAs, not only busy ones


def test_backtest_json_report_and_recommended(store: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "backtest",
            "--store",
            str(store),
            "--category",
            VIOLENCE,
            "--start",
            "2025-09",
            "--end",
            "2025-11",
            "--models",
            "last-month,rolling-12,ew-6",
            "--json",
            str(tmp_path / "bt.json"),
            "--report",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "bt.json").read_text())
    assert set(data) >= {"cell_size", "months", "coverage", "models", "recommended"}
    assert data["months"] == ["2025-09", "2025-10", "2025-11"]
    assert list(data["models"]) == ["last-month", "rolling-12", "ew-6"]
    assert (tmp_path / "r" / "report.md").exists()
    assert (tmp_path / "r" / "metrics-by-coverage.png").exists()
    # hotspots without --model takes the backtest's recommendation
    out = tmp_path / "rec.csv"
    rec = hotspots(store, "--backtest", str(tmp_path / "bt.json"), "--out", str(out))
    assert rec.exit_code == 0 and f": {data['recommended']} over" in rec.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-13"], "--month: month '2025-13' is not in YYYY-MM form"),
        (["--month", "2025-12", "--model", "magic"], "unknown model 'magic'"),
        (["--month", "2025-12", "--category", "Jaywalking"], "no incidents of 'Jaywalking'"),
        (["--month", "2025-12", "--out", "x.docx"], "unknown output type"),
    ],
)
def test_hotspots_errors_are_one_line(
    store: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    base = ["hotspots", "--store", str(store), "--category", VIOLENCE]
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "x.csv")]
    result = runner.invoke(app, [*base, *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_harm_weights_change_the_scores(store: Path, tmp_path: Path) -> None:
    table = tmp_path / "harm.toml"
    table.write_text('default = 1.0\n[weights]\n"Violence and sexual offences" = 3.0\n')
    plain, weighted = tmp_path / "p.csv", tmp_path / "w.csv"
    base = [
        "hotspots",
        "--store",
        str(store),
        "--category",
        VIOLENCE,
        "--month",
        "2025-12",
        "--model",
        "rolling-12",
    ]
    assert runner.invoke(app, [*base, "--out", str(plain)]).exit_code == 0
    assert runner.invoke(app, [*base, "--harm", str(table), "--out", str(weighted)]).exit_code == 0
    a, b = pl.read_csv(plain), pl.read_csv(weighted)
    assert b["score"].sum() == 3 * a["score"].sum()
    bad = tmp_path / "bad.toml"
    bad.write_text('[weights]\n"Robbery" = -2\n')
    result = runner.invoke(app, [*base, "--harm", str(bad), "--out", str(plain)])
    assert result.exit_code == 1 and "weight of 'Robbery' must be a number >= 0" in result.stderr


def test_plan_places_every_unit_and_meets_the_womens_share(store: Path, tmp_path: Path) -> None:
    csv, summary = tmp_path / "posts.csv", tmp_path / "plan.json"
    result = runner.invoke(
        app,
        [
            "plan",
            "--store",
            str(store),
            "--month",
            "2025-12",
            "--officers",
            "60",
            "--women-share",
            "0.2",
            "--time-limit",
            "10",
            "--out",
            str(csv),
            "--out",
            str(summary),
            "--schedule",
            str(tmp_path / "schedule.csv"),
            "--units",
            str(tmp_path / "units.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    visits = pl.read_csv(tmp_path / "schedule.csv")
    assert visits["unit"].n_unique() == 9 + 10 + 10
    early = visits.filter(pl.col("shift") == "early")
    # December in Cleveland: local time is UTC, shown with its offset
    assert sorted(early["arrive"].to_list())[0] == "2025-12-01T07:00+00:00"
    assert sorted(early["leave"].to_list())[-1] <= "2025-12-01T15:00+00:00"
    night = visits.filter(pl.col("shift") == "night")
    assert sorted(night["leave"].to_list())[-1] <= "2025-12-02T07:00+00:00"
    assert ((visits["dwell_minutes"] >= 10) & (visits["dwell_minutes"] <= 16)).all()
    roster = pl.read_csv(tmp_path / "units.csv")
    assert roster["unit"].to_list() == visits["unit"].unique(maintain_order=True).to_list()
    posts = pl.read_csv(csv)
    per_shift = posts.group_by("shift").agg(pl.col("units").sum(), pl.col("officers").sum())
    # 18, 21 and 21 officers in units of two: a shift's odd officer is not placed
    assert dict(per_shift.select("shift", "officers").iter_rows()) == {
        "early": 18,
        "late": 20,
        "night": 20,
    }
    assert posts["units"].to_numpy().max() <= 2
    women = posts.filter(pl.col("womens_safety_place")).group_by("shift").agg(pl.col("units").sum())
    units = dict(per_shift.select("shift", "units").iter_rows())
    for shift, n in women.iter_rows():
        assert n >= 0.2 * units[shift] - 1e-9
    data = json.loads(summary.read_text())
    for entry in data["shifts"].values():
        assert entry["objective"] >= entry["greedy"] - 1e-6
        assert entry["objective"] <= entry["bound"] + 1e-6


def test_the_default_harm_table_is_cchi_and_says_so(store: Path, tmp_path: Path) -> None:
    """`--harm cchi`: the Cambridge Crime Harm Index per category ships as the default, and its
    source and caveats are printed wherever it is used."""
    base = ["hotspots", "--store", str(store), "--category", VIOLENCE, "--month", "2025-12"]
    plain, weighted = tmp_path / "p.csv", tmp_path / "w.csv"
    assert runner.invoke(app, [*base, "--model", "rolling-12", "--out", str(plain)]).exit_code == 0
    result = runner.invoke(
        app, [*base, "--model", "rolling-12", "--harm", "cchi", "--out", str(weighted)]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Cambridge Crime Harm Index" in said and "give its own table with --harm FILE" in said
    a, b = pl.read_csv(plain), pl.read_csv(weighted)
    assert float(b["score"].sum()) == pytest.approx(
        194.21 * float(a["score"].sum())
    )  # violence's CCHI days
    run = runner.invoke(
        app,
        ["backtest", "--store", str(store), "--category", VIOLENCE, "--start", "2025-11",
         "--end", "2025-11", "--models", "last-month", "--harm", "cchi"],
    )  # fmt: skip
    assert run.exit_code == 0 and "Cambridge Crime Harm Index" in " ".join(run.output.split())


def test_the_shipped_cchi_table_is_the_shared_one() -> None:
    """The packaged weights are the ones in ../shared (when it is beside the repository)."""
    from streetlight.hotspots.harm import load_harm
    from tests.conftest import SHARED_DATA

    source = SHARED_DATA / "harm" / "cchi-police-uk-categories.csv"
    if not source.is_file():
        pytest.skip("../shared/data/harm is not beside the repository")
    expected = dict(pl.read_csv(source).select("category", "cchi_days").iter_rows())
    assert load_harm("cchi").weights == pytest.approx(expected)
