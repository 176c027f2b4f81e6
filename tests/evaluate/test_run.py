"""A backtest of a store (`evaluate.run`): the months asked for, every model scored, what is
written, and the mistakes refused before any work."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from streetlight.errors import StreetlightError
from streetlight.evaluate.run import (
    BacktestRequest,
    recommended_model,
    run_backtest,
    write_backtest,
)
from streetlight.hotspots.harm import CCHI_NOTE
from streetlight.hotspots.registry import UnknownModelError
from streetlight.ingest import ingest
from streetlight.store.store import Store
from tests.conftest import SAMPLE_ZIP

VIOLENCE = ("Violence and sexual offences",)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store.open(tmp_path_factory.mktemp("run") / "store", create=True)
    ingest([SAMPLE_ZIP], store)
    return store


def request(**change: object) -> BacktestRequest:
    values: dict[str, object] = {
        "first": date(2025, 10, 1),
        "last": date(2025, 11, 1),
        "categories": VIOLENCE,
        "models": ("last-month", "rolling-3"),
        "coverages": (1.0, 5.0),
        **change,
    }
    return BacktestRequest(**values)  # type: ignore[arg-type]


def test_a_monthly_backtest_scores_every_model_and_writes_it(sample: Store, tmp_path: Path) -> None:
    run = run_backtest(sample, request())
    assert run.force == "cleveland" and run.timezone is None
    assert run.data["months"] == ["2025-10", "2025-11"]
    assert set(run.data["models"]) == {"last-month", "rolling-3"}
    assert run.data["recommended"] in {"last-month", "rolling-3"}
    write_backtest(run, tmp_path / "out" / "b.json", tmp_path / "report")
    assert json.loads((tmp_path / "out" / "b.json").read_text()) == run.data
    assert (tmp_path / "report" / "report.md").is_file()
    assert recommended_model(tmp_path / "out" / "b.json") == run.data["recommended"]


def test_an_unknown_model_fails_before_the_store_is_read(tmp_path: Path) -> None:
    empty = Store.open(tmp_path / "empty", create=True)
    with pytest.raises(UnknownModelError):
        run_backtest(empty, request(models=("last-month", "crystal-ball")))


def test_an_unknown_period_or_time_zone_is_refused(sample: Store) -> None:
    with pytest.raises(StreetlightError, match="--by must be month, shift or day, not 'week'"):
        request(by="week")
    with pytest.raises(StreetlightError, match="--timezone: unknown time zone 'Mars/Olympus'"):
        run_backtest(sample, request(by="day", models=None, timezone="Mars/Olympus"))


def test_a_file_without_a_recommendation_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"models": {}}')
    with pytest.raises(StreetlightError, match="not a backtest JSON with a 'recommended' model"):
        recommended_model(path)


def test_harm_pei_uses_the_cchi_default_and_says_so(sample: Store, tmp_path: Path) -> None:
    run = run_backtest(sample, request(categories=(*VIOLENCE, "Robbery")))
    assert run.harm_note == CCHI_NOTE
    entry = run.data["models"]["rolling-3"]
    assert 0 < entry["harm_pei"]["5"] <= 1 and entry["harm_pei"]["5"] != entry["pei"]["5"]
    assert "harm_pei" in entry["per_month"][0] and "harm_pei" in entry["ci95"]
    write_backtest(run, None, tmp_path / "report")
    assert "## harm PEI" in (tmp_path / "report" / "report.md").read_text()


def test_no_harm_pei_when_the_default_does_not_weigh_a_category(sample: Store) -> None:
    run = run_backtest(sample, request(categories=(*VIOLENCE, "Not a police.uk category")))
    assert run.harm_note.startswith("No harm PEI") and "'Not a police.uk category'" in run.harm_note
    assert "harm_pei" not in run.data["models"]["rolling-3"]


def test_a_forces_own_table_weighs_the_models_and_the_harm_pei(
    sample: Store, tmp_path: Path
) -> None:
    table = tmp_path / "harm.toml"
    table.write_text('[weights]\n"Violence and sexual offences" = 5\nRobbery = 50\n')
    run = run_backtest(sample, request(categories=(*VIOLENCE, "Robbery"), harm=table))
    assert run.harm_note == ""
    entry = run.data["models"]["rolling-3"]
    assert entry["harm_pei"] == entry["pei"]  # the metrics weigh crimes by the same table
