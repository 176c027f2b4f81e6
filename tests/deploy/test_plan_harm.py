"""The patrol plan's harm: a plan weighs crimes by the packaged CCHI table unless told
otherwise, a force's own table replaces it, and the forecast, the shift shares and a plan
backtest's scoring all use the one table.

On a made-up force whose two places differ only in what happens there: two robberies a month
at R (CCHI 365 days each, at 10:00, the early shift) and twenty shopliftings a month at S
(CCHI 1 day each, at 20:00, the late shift), 1.9 km apart, January to June 2025. Counted, S is
the hot spot; weighed by harm, R is (730 days a month against 20).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from streetlight.deploy import defaults
from streetlight.deploy.export import plan_summary
from streetlight.deploy.harm import PlanHarm
from streetlight.deploy.month import MonthPlan, PlanRequest, deploy
from streetlight.deploy.plan import PlanSettings, shift_profile
from streetlight.deploy.plan_backtest import PlanBacktestRequest, backtest_plans
from streetlight.hotspots.harm import CCHI, CCHI_NOTE, HarmTableError
from streetlight.ingest import ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store import Store

FORCE = "testshire"
ROBBERY, SHOPLIFTING = "Robbery", "Shoplifting"
CATEGORIES = (ROBBERY, SHOPLIFTING)
R, S = (-1.23, 54.57), (-1.20, 54.57)  # lon, lat: 1.9 km apart
PLANNED = date(2025, 7, 1)
MAPPING = f"""
[source]
name = "Testshire Police"
force = "{FORCE}"
files = ["*.csv"]

[columns]
incident_id = "id"
occurred_at = "when"
category = "type"
lon = "lon"
lat = "lat"

[datetime]
formats = ["%Y-%m-%d %H:%M"]
timezone = "Europe/London"
"""


def make_store(folder: Path) -> Store:
    """The made-up force of the module docstring, ingested through a mapping file."""
    rows = ["id,when,type,lon,lat"]
    for month in range(1, 7):
        for day in (3, 17):
            rows.append(f"r{month}-{day},2025-{month:02}-{day:02} 10:00,{ROBBERY},{R[0]},{R[1]}")
        for day in range(1, 21):
            rows.append(
                f"s{month}-{day},2025-{month:02}-{day:02} 20:00,{SHOPLIFTING},{S[0]},{S[1]}"
            )
    folder.mkdir(parents=True)
    (folder / "crimes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    store = Store.open(folder / "store", create=True)
    ingest([folder / "crimes.csv"], store, MappedFormat(load_mapping(folder / "mapping.toml")))
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return make_store(tmp_path_factory.mktemp("harm") / "testshire")


# One unit on the early shift, no women's-safety minimum and no busy-place demand: the post goes
# wherever the forecast harm is.
SETTINGS = PlanSettings(
    officers={"early": 2}, unit_size=2, max_per_post=1, women_share=0.0, busy_weight=0.0
)


def plan(store: Store, **request: object) -> MonthPlan:
    return deploy(
        store,
        PlanRequest(
            month=PLANNED,
            settings=SETTINGS,
            categories=CATEGORIES,
            model="rolling-12",
            **request,  # type: ignore[arg-type]
        ),
    )


def post_lon(month_plan: MonthPlan) -> float:
    """Longitude of the plan's one post."""
    posts = month_plan.posts.filter(month_plan.posts["units"] > 0)
    assert posts.height == 1
    return float(posts["lon"][0])


def score_at(month_plan: MonthPlan, place: tuple[float, float]) -> float:
    """The forecast score of the cell holding `place`."""
    table = month_plan.forecast.table()
    nearest = int(np.argmin((table["lon"] - place[0]) ** 2 + (table["lat"] - place[1]) ** 2))
    return float(table["score"][nearest])


def test_the_plan_s_default_harm_table_is_the_packaged_cchi() -> None:
    assert defaults.HARM == CCHI
    assert PlanRequest(month=PLANNED, settings=SETTINGS).harm == CCHI
    assert PlanBacktestRequest(first=PLANNED, last=PLANNED, settings=SETTINGS).harm == CCHI


def test_the_default_plan_weighs_each_crime_by_its_cchi_days(store: Store) -> None:
    weighted, counted = plan(store), plan(store, harm=None)
    assert weighted.harm.source == CCHI and weighted.harm.describe() == CCHI_NOTE
    # rolling-12 sums the past: each cell's score is its crimes times their CCHI days
    assert score_at(weighted, R) == pytest.approx(365.0 * score_at(counted, R)) == 12 * 365.0
    assert score_at(weighted, S) == pytest.approx(score_at(counted, S)) == 120.0
    # counted, the shoplifting is the hot spot; weighed by harm, the robberies are
    assert post_lon(counted) == pytest.approx(S[0], abs=0.002)
    assert post_lon(weighted) == pytest.approx(R[0], abs=0.002)
    # the shift shares are of harm too: 12 robberies early, 120 shopliftings late
    assert counted.harm_share["early"] == pytest.approx(12 / 132)
    assert weighted.harm_share["early"] == pytest.approx(12 * 365 / (12 * 365 + 120))
    assert plan_summary(weighted)["harm_table"] == CCHI
    assert plan_summary(counted)["harm_table"] is None


def test_a_force_s_own_table_replaces_the_default(store: Store, tmp_path: Path) -> None:
    own = tmp_path / "own.toml"
    own.write_text(f'default = 1.0\n[weights]\n"{SHOPLIFTING}" = 50.0\n"{ROBBERY}" = 2.0\n')
    mine = plan(store, harm=own)
    assert score_at(mine, S) == pytest.approx(50 * 120.0)
    assert score_at(mine, R) == pytest.approx(2 * 12.0)
    assert post_lon(mine) == pytest.approx(S[0], abs=0.002)
    assert plan_summary(mine)["harm_table"] == str(own)
    assert mine.harm.describe() == f"harm weights: {own}"  # no CCHI caveats for the force's table


def test_none_counts_every_crime_once(store: Store) -> None:
    assert PlanHarm.load("none") == PlanHarm.load(None) == PlanHarm()
    counted = plan(store, harm="none")
    assert score_at(counted, R) == pytest.approx(12.0)
    assert counted.harm.describe() == "harm weights: none, every crime counts 1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "harm table not found"),
        ("[weights", "not valid TOML"),
        (f'[weights]\n"{ROBBERY}" = -1\n', "weight of 'Robbery' must be a number >= 0"),
        ("default = 1.0\nRobbery = 3\n", "needs a [weights] table"),
    ],
)
def test_a_bad_table_fails_naming_the_file(
    store: Store, tmp_path: Path, content: str | None, message: str
) -> None:
    table = tmp_path / "force-harm.toml"
    if content is not None:
        table.write_text(content)
    for run in (
        lambda: plan(store, harm=table),
        lambda: backtest_plans(
            store,
            PlanBacktestRequest(
                first=date(2025, 6, 1), last=date(2025, 6, 1), settings=SETTINGS, harm=table
            ),
        ),
    ):
        with pytest.raises(HarmTableError) as raised:
            run()
        assert str(raised.value).startswith(f"{table}: ") and message in str(raised.value)


def test_shift_shares_weigh_past_crimes_by_the_table(store: Store) -> None:
    table = PlanHarm.load(CCHI).table
    counted = shift_profile(store, FORCE, CATEGORIES, PLANNED)
    weighted = shift_profile(store, FORCE, CATEGORIES, PLANNED, harm=table)
    assert counted == pytest.approx({"early": 12 / 132, "late": 120 / 132, "night": 0.0})
    assert weighted == pytest.approx({"early": 4380 / 4500, "late": 120 / 4500, "night": 0.0})
    # one crime type: the weight cancels out
    assert shift_profile(store, FORCE, [ROBBERY], PLANNED, harm=table) == pytest.approx(
        shift_profile(store, FORCE, [ROBBERY], PLANNED)
    )


def test_the_plan_backtest_scores_harm_with_the_plan_s_table(store: Store) -> None:
    june = date(2025, 6, 1)

    def run(harm: str | None) -> dict[str, object]:
        request = PlanBacktestRequest(
            first=june,
            last=june,
            settings=SETTINGS,
            categories=CATEGORIES,
            model="rolling-12",
            harm=harm,
        )
        result = backtest_plans(store, request)
        assert result.to_json()["harm_table"] == harm
        (score,) = [s for s in result.result.scores if s.method == "milp"]
        return {"crimes": score.crimes, "share": score.covered_share, "objective": score.objective}

    # June's early crimes are R's two robberies: 730 CCHI days, all covered by a post at R;
    # counted, the plan puts its unit at S (more crimes) and covers none of them
    weighted, counted = run(CCHI), run(None)
    assert (weighted["crimes"], weighted["share"]) == (730.0, 1.0)
    assert (counted["crimes"], counted["share"]) == (2.0, 0.0)
    # the objective is the covered forecast times the early shift's share, both learned from
    # January to May (10 robberies early, 100 shopliftings late) with the same weights
    assert weighted["objective"] == pytest.approx(3650 * 3650 / (3650 + 100))
    assert counted["objective"] == pytest.approx(100 * 10 / 110)
