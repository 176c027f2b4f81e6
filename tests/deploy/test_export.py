"""Writing a month's plan: every format holds the plan it was given, files come in the documented
order, and a bad suffix or setting fails with a message that names it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import matplotlib.image
import polars as pl
import pytest

from streetlight.deploy.briefing import INDEX
from streetlight.deploy.export import PlanOutputs, Written, write_plan
from streetlight.deploy.harm import PlanHarm
from streetlight.deploy.month import MonthPlan, PlanRequest
from streetlight.deploy.plan import EQUAL_SHIFTS, PlanSettings, posts_table, units_table
from streetlight.errors import StreetlightError
from tests.deploy.test_briefing import small_plan


@pytest.fixture(scope="module")
def month_plan() -> MonthPlan:
    forecast, plans, settings = small_plan()
    return MonthPlan(
        forecast=forecast,
        harm=PlanHarm(),
        settings=settings,
        harm_share=EQUAL_SHIFTS,
        plans=plans,
        posts=posts_table(forecast, plans, settings.unit_size),
        outside=("Nowhere Park",),
        force_name="Cleveland Police",
        timezone="Europe/London",
    )


def test_every_output_is_written_in_order(month_plan: MonthPlan, tmp_path: Path) -> None:
    files = tuple(tmp_path / "out" / f"plan{s}" for s in (".csv", ".geojson", ".json", ".png"))
    outputs = PlanOutputs(
        files=(*files, tmp_path / "plan.html"),
        units=tmp_path / "units.csv",
        schedule=tmp_path / "schedule.csv",
        briefings=tmp_path / "briefings",
        seed=1,
    )
    written = list(write_plan(month_plan, outputs))
    units = units_table(month_plan.forecast, month_plan.plans, month_plan.settings.unit_size)
    assert written == [
        Written(tmp_path / "units.csv"),
        Written(tmp_path / "schedule.csv"),
        Written(tmp_path / "briefings" / INDEX, briefings=units.height),
        *(Written(p) for p in files),
        Written(tmp_path / "plan.html"),
    ]
    assert pl.read_csv(tmp_path / "units.csv")["unit"].to_list() == units["unit"].to_list()
    visits = pl.read_csv(tmp_path / "schedule.csv")
    assert set(visits["unit"]) <= set(units["unit"])
    assert visits["date"].unique().to_list() == ["2025-12-01"]
    assert len(list((tmp_path / "briefings").glob("*.html"))) == units.height + 1

    posts = month_plan.posts
    assert pl.read_csv(files[0])["cell_id"].to_list() == posts["cell_id"].to_list()
    features = json.loads(files[1].read_text())["features"]
    assert [f["geometry"]["coordinates"] for f in features] == posts.select(
        "lon", "lat"
    ).to_numpy().tolist()
    assert "lon" not in features[0]["properties"]
    summary = json.loads(files[2].read_text())
    assert summary["month"] == "2025-12"
    assert summary["harm_table"] is None  # no table: every crime counted 1
    assert summary["settings"]["officers"] == {"early": 4, "late": 6, "night": 4}
    assert summary["settings"]["places_outside"] == ["Nowhere Park"]
    assert summary["settings"]["reports"] is None
    assert set(summary["shifts"]) == {"early", "late", "night"}
    assert matplotlib.image.imread(files[3]).shape[2] in (3, 4)
    assert "Cleveland Police" in (tmp_path / "plan.html").read_text()


def test_the_same_seed_writes_the_same_schedule(month_plan: MonthPlan, tmp_path: Path) -> None:
    texts = []
    for name in ("a.csv", "b.csv"):
        list(write_plan(month_plan, PlanOutputs(schedule=tmp_path / name, seed=7)))
        texts.append((tmp_path / name).read_text())
    assert texts[0] == texts[1]


def test_an_unknown_suffix_fails_after_the_files_before_it(
    month_plan: MonthPlan, tmp_path: Path
) -> None:
    outputs = PlanOutputs(files=(tmp_path / "posts.csv", tmp_path / "posts.xlsx"))
    written = []
    with pytest.raises(StreetlightError, match=r"posts\.xlsx: unknown output type"):
        for w in write_plan(month_plan, outputs):
            written.append(w.path)
    assert written == [tmp_path / "posts.csv"]
    assert not (tmp_path / "posts.xlsx").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"unit_size": 0}, "unit size must be at least 1 officer, not 0"),
        ({"max_per_post": 0}, "max per post must be at least 1 unit, not 0"),
        ({"women_share": 1.5}, "women share must be between 0 and 1, not 1.5"),
        ({"decay": -0.1}, "decay must be between 0 and 1, not -0.1"),
        ({"radius": -1.0}, r"radius \(metres\) must be at least 0, not -1.0"),
        ({"officers": {"early": -2}}, "give each shift 0 or more officers"),
        ({"officers": {}}, "give each shift 0 or more officers"),
    ],
)
def test_plan_settings_refuse_a_bad_value(change: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"officers": {"early": 4}, **change}
    with pytest.raises(StreetlightError, match=message):
        PlanSettings(**values)  # type: ignore[arg-type]


def test_plan_settings_take_keywords_only() -> None:
    with pytest.raises(TypeError):
        PlanSettings({"early": 4})  # type: ignore[call-arg]


def test_a_plan_request_refuses_a_negative_reports_weight() -> None:
    settings = PlanSettings(officers={"early": 4})
    with pytest.raises(StreetlightError, match="reports weight must be at least 0"):
        PlanRequest(month=date(2025, 12, 1), settings=settings, reports_weight=-0.5)
