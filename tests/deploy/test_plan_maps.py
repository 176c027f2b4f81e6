"""Plan maps: a PNG panel per shift and an offline HTML map with a shift selector, and the
`plan` command writing them (and the briefings) from the bundled sample."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import matplotlib.image
import polars as pl
import pytest
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.deploy.maps import plan_html, plan_png
from streetlight.deploy.plan import PlanSettings, ShiftPlan, posts_table
from streetlight.hotspots.forecast import Forecast
from tests.conftest import SAMPLE_ZIP
from tests.deploy.test_briefing import HOSTILE, small_plan

runner = CliRunner()


@pytest.fixture(scope="module")
def plan() -> tuple[Forecast, list[ShiftPlan], PlanSettings]:
    return small_plan()


def figure_of(page: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The data and layout plotly was given, read back from the page's newPlot call."""
    decoder = json.JSONDecoder()
    at = page.index("Plotly.newPlot(") + len("Plotly.newPlot(")
    values = []
    for _ in range(3):  # the div's id, the data, the layout
        while page[at] in " \t\n,":
            at += 1
        value, at = decoder.raw_decode(page, at)
        values.append(value)
    _, data, layout = values
    return data, layout


def test_png_has_a_panel_per_shift(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings], tmp_path: Path
) -> None:
    forecast, plans, settings = plan
    posts = posts_table(forecast, plans, settings.unit_size)
    path = plan_png(forecast, posts, settings, tmp_path / "maps" / "plan.png")
    pixels = matplotlib.image.imread(path)
    height, width = pixels.shape[:2]
    assert 600 < height < 2000 and 1500 < width < 3000  # three panels side by side
    assert float(pixels[..., :3].std()) > 0.05


def test_html_works_offline_with_one_trace_group_per_shift(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings], tmp_path: Path
) -> None:
    forecast, plans, settings = plan
    posts = posts_table(forecast, plans, settings.unit_size)
    page = plan_html(forecast, posts, settings, tmp_path / "plan.html").read_text()
    assert len(page) > 3_000_000 and "plotly.js v" in page  # the library, embedded
    scripts = re.findall(r"<script([^>]*)>.*?</script>", page, re.DOTALL)
    assert scripts and not any("src" in attributes for attributes in scripts)
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.DOTALL)
    assert re.search(r"https?:", markup) is None  # no stylesheet, font or tile to fetch
    data, layout = figure_of(page)
    groups = [t.get("legendgroup") for t in data]
    shifts = list(settings.officers)
    assert [g for g in dict.fromkeys(groups) if g] == shifts
    buttons = layout["updatemenus"][0]["buttons"]
    assert len(buttons) == len(shifts)
    for k, button in enumerate(buttons):
        visible = button["args"][0]["visible"]
        assert len(visible) == len(data)
        shown = {g for g, v in zip(groups, visible, strict=True) if v and g}
        assert shown == {shifts[k]}
    assert layout["yaxis"]["scaleanchor"] == "x"  # metres on both axes: circles are round


def test_html_hover_names_the_post_and_escapes_place_names(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings], tmp_path: Path
) -> None:
    forecast, plans, settings = plan
    posts = posts_table(forecast, plans, settings.unit_size)
    page = plan_html(forecast, posts, settings, tmp_path / "plan.html").read_text()
    data, _ = figure_of(page)
    hovers = [h for t in data for h in (t.get("hovertext") or [])]
    assert len(hovers) == posts.height
    first = posts.row(0, named=True)
    assert any(first["cell_id"] in h and f"{first['units']} unit(s)" in h for h in hovers)
    assert HOSTILE not in page
    if HOSTILE in posts["place"].to_list():
        assert any("&lt;script&gt;" in h for h in hovers)


def test_maps_draw_a_plan_with_an_empty_shift(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings], tmp_path: Path
) -> None:
    forecast, plans, settings = plan
    posts = posts_table(forecast, plans, settings.unit_size).filter(pl.col("shift") != "late")
    assert plan_png(forecast, posts, settings, tmp_path / "p.png").stat().st_size > 10_000
    page = plan_html(forecast, posts, settings, tmp_path / "p.html").read_text()
    assert "late 15:00-23:00: 0 units, 0 officers" in page
    empty = posts.clear()
    assert plan_png(forecast, empty, settings, tmp_path / "e.png").stat().st_size > 10_000


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan-maps") / "store"
    result = runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "--store", str(path), "-q"])
    assert result.exit_code == 0, result.output
    return path


def test_plan_command_writes_maps_and_briefings(store: Path, tmp_path: Path) -> None:
    args = ["plan", "--store", str(store), "--month", "2025-12", "--officers", "24"]
    outs = [tmp_path / "plan.png", tmp_path / "plan.html"]
    result = runner.invoke(
        app,
        [
            *args,
            "--time-limit",
            "5",
            *(a for p in outs for a in ("--out", str(p))),
            "--schedule",
            str(tmp_path / "visits.csv"),
            "--briefings",
            str(tmp_path / "briefings"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert all(p.stat().st_size > 50_000 for p in outs)
    visits = pl.read_csv(tmp_path / "visits.csv")
    index = (tmp_path / "briefings" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', index)
    assert len(links) == visits["unit"].n_unique() > 0
    assert all((tmp_path / "briefings" / href).is_file() for href in links)
    assert "Cleveland Police" in index and "GMT" in index
    bad = runner.invoke(app, [*args, "--time-limit", "1", "--out", str(tmp_path / "plan.pdf")])
    assert bad.exit_code == 1
    assert ".png or .html" in bad.stderr
