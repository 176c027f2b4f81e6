"""Unit briefings: every visit in order, hostile text escaped, nothing external, links that work,
local times across a clock change, and a real browser that prints them to A4 and fits a phone."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib.image
import numpy as np
import polars as pl
import pytest

from streetlight.deploy.briefing import INDEX, briefing_pages, write_briefings
from streetlight.deploy.plan import (
    EQUAL_SHIFTS,
    PlanSettings,
    ShiftPlan,
    make_plan,
    schedules_table,
    units_table,
)
from streetlight.errors import StreetlightError
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import StudyArea
from streetlight.hotspots.forecast import Forecast
from tests.browser import pdf_pages, print_pdf, screenshot

HOSTILE = "<script>alert(1)</script>"
LONDON = "Europe/London"
ROW = re.compile(
    r'<tr><td class="n">(\d+)</td><td class="time">(\d\d:\d\d)\u2013(\d\d:\d\d)</td>'
    r'<td class="n">[^<]*</td><td class="stop">[^<]*</td><td>([^<]*)</td>'
)


def small_plan() -> tuple[Forecast, list[ShiftPlan], PlanSettings]:
    """A 3 km square of 150 m cells in Middlesbrough with a hot centre, a nightclub (so the
    women's-safety share can be met) and a hostile place name on the hottest cell."""
    gi, gj = np.meshgrid(np.arange(20), np.arange(20), indexing="ij")
    i, j = gi.ravel().astype(np.int64) + 2980, gj.ravel().astype(np.int64) + 3450
    area = StudyArea(Grid(150.0), i, j, "EPSG:27700")
    rng = np.random.default_rng(3)
    scores = rng.gamma(0.6, 1.5, area.n_cells)
    scores[rng.random(area.n_cells) < 0.3] = 0.0
    hot = 10 * 20 + 10
    scores[hot] = 60.0
    places: list[str | None] = [f"On or near Street {k}" for k in range(area.n_cells)]
    places[hot] = HOSTILE
    places[3 * 20 + 15] = "On or near Nightclub"
    places[4] = None
    forecast = Forecast(
        area,
        scores,
        "ew-6",
        date(2025, 12, 1),
        "cleveland",
        ("Violence and sexual offences",),
        places,
    )
    settings = PlanSettings(officers={"early": 4, "late": 6, "night": 4}, time_limit=5.0)
    return forecast, make_plan(forecast, EQUAL_SHIFTS, settings), settings


@pytest.fixture(scope="module")
def plan() -> tuple[Forecast, list[ShiftPlan], PlanSettings]:
    return small_plan()


@pytest.fixture(scope="module")
def tables(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    forecast, plans, settings = plan
    units = units_table(forecast, plans, settings.unit_size)
    return units, schedules_table(forecast, plans, settings, date(2025, 12, 1), LONDON)


@pytest.fixture(scope="module")
def pages(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings],
    tables: tuple[pl.DataFrame, pl.DataFrame],
) -> dict[str, str]:
    forecast, _, settings = plan
    units, visits = tables
    return briefing_pages(
        forecast,
        units,
        visits,
        force_name="Cleveland Police",
        timezone=LONDON,
        radius=settings.radius,
    )


def page_of(pages: dict[str, str], unit: str) -> str:
    return pages[f"{unit}.html"]


def test_one_page_per_unit_and_an_index(
    pages: dict[str, str], tables: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    units, _ = tables
    assert units.height == 2 + 3 + 2
    assert set(pages) == {f"{u}.html" for u in units["unit"]} | {INDEX}


def test_every_visit_is_listed_in_order_with_local_times(
    pages: dict[str, str], tables: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    units, visits = tables
    zone = ZoneInfo(LONDON)
    for unit in units["unit"]:
        expected = visits.filter(pl.col("unit") == unit).sort("order")
        assert expected.height > 10
        rows = ROW.findall(page_of(pages, unit))
        assert [int(r[0]) for r in rows] == expected["order"].to_list()
        for (_, arrive, leave, place), want in zip(
            rows, expected.iter_rows(named=True), strict=True
        ):
            assert arrive == f"{datetime.fromisoformat(want['arrive']).astimezone(zone):%H:%M}"
            assert leave == f"{datetime.fromisoformat(want['leave']).astimezone(zone):%H:%M}"
            assert html.unescape(place) == (want["place"] or want["cell_id"])


def test_briefing_says_who_when_where_and_why(
    pages: dict[str, str], tables: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    units, _ = tables
    unit = units.filter(pl.col("shift") == "night").row(0, named=True)
    page = page_of(pages, unit["unit"])
    for text in (
        "Cleveland Police",
        "December 2025",
        f"Unit {unit['unit']}",
        "Mon 1 Dec 2025, 23:00 GMT to 07:00 GMT Tue 2 Dec 2025",
        html.escape(unit["place"]),
        unit["post"],
        f"{unit['lat']:.5f}, {unit['lon']:.5f}",
        "Why here:",
        "of the force&#39;s forecast harm",
        "<svg viewBox=",
        "radio operator",
        "/verify page",
        "where your colleagues are",
        "why you are there",
    ):
        assert text in page, text


def test_hostile_place_names_are_escaped_and_nothing_is_external(pages: dict[str, str]) -> None:
    escaped = html.escape(HOSTILE)
    assert any(escaped in page for name, page in pages.items() if name != INDEX)
    for name, page in pages.items():
        assert "<script" not in page.lower(), name
        assert re.search(r"https?:|javascript:|(src|href)=\"//", page, re.IGNORECASE) is None, name
        assert re.search(r"\son\w+\s*=", page) is None, name  # no event-handler attributes
        assert "@import" not in page and "url(" not in page, name


def test_the_policy_allows_only_the_page_s_own_style(pages: dict[str, str]) -> None:
    for name, page in pages.items():
        style = re.search(r"<style>(.*?)</style>", page, re.DOTALL)
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
        assert style is not None and policy is not None, name
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert html.unescape(policy.group(1)) == (
            f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
        )
        assert "@media print" in style.group(1) and "size: A4" in style.group(1)


def test_index_links_every_unit_to_a_file_that_exists(
    pages: dict[str, str], tables: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    written = write_briefings(pages, tmp_path / "briefings")
    assert sorted(p.name for p in written) == sorted(pages)
    index = (tmp_path / "briefings" / INDEX).read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', index)
    units, _ = tables
    assert [text for _, text in links] == units["unit"].to_list()
    for href, _ in links:
        target = tmp_path / "briefings" / href
        assert target.is_file()
        assert f'<a href="{INDEX}">' in target.read_text(encoding="utf-8")
    # shifts in plan order, each with its local hours
    assert index.index("Early shift") < index.index("Late shift") < index.index("Night shift")


def test_unit_names_become_safe_unique_file_names(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings],
    tables: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    forecast, _, settings = plan
    units, visits = tables
    names = {"early-001": "../../etc/passwd", "early-002": "index"}
    rename = pl.col("unit").replace(names)
    pages = briefing_pages(
        forecast,
        units.with_columns(rename),
        visits.with_columns(rename),
        force_name="Cleveland Police",
        timezone=LONDON,
        radius=settings.radius,
    )
    assert {"etc_passwd.html", "index-2.html", INDEX} <= set(pages)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+\.html", name) for name in pages)
    assert "Unit ../../etc/passwd" in pages["etc_passwd.html"]


def test_a_unit_without_visits_still_gets_a_briefing(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings],
    tables: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    forecast, _, settings = plan
    units, visits = tables
    pages = briefing_pages(
        forecast,
        units,
        visits.filter(pl.col("unit") != "late-001"),
        force_name="Cleveland Police",
        timezone=LONDON,
        radius=settings.radius,
    )
    page = pages["late-001.html"]
    assert "No visit list" in page and ROW.search(page) is None


def test_night_shift_over_the_clock_change_shows_both_offsets(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings],
) -> None:
    forecast, plans, settings = plan
    day = date(2025, 10, 25)  # clocks go back at 02:00 BST on Sunday 26 October
    visits = schedules_table(forecast, plans, settings, day, LONDON)
    pages = briefing_pages(
        forecast,
        units_table(forecast, plans, settings.unit_size),
        visits,
        force_name="Cleveland Police",
        timezone=LONDON,
        radius=settings.radius,
    )
    night = pages["night-001.html"]
    # eight hours of work: 23:00 BST is 22:00 UTC, so the shift ends at 06:00 GMT
    assert "Sat 25 Oct 2025, 23:00 BST to 06:00 GMT Sun 26 Oct 2025" in night
    times = [leave for _, _, leave, _ in ROW.findall(night)]
    assert times and all(t <= "06:00" or t >= "23:00" for t in times)


def test_briefings_need_one_day(
    plan: tuple[Forecast, list[ShiftPlan], PlanSettings],
    tables: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    forecast, _, settings = plan
    units, visits = tables
    two_days = pl.concat([visits, visits.with_columns(pl.lit("2025-12-02").alias("date"))])
    with pytest.raises(StreetlightError, match="one day"):
        briefing_pages(
            forecast,
            units,
            two_days,
            force_name="x",
            timezone=LONDON,
            radius=settings.radius,
        )


def test_a_real_browser_prints_a_briefing_to_a4_and_fits_a_phone(
    pages: dict[str, str], tmp_path: Path
) -> None:
    write_briefings(pages, tmp_path / "b")
    page = tmp_path / "b" / "early-001.html"
    pdf = print_pdf(page, tmp_path / "early-001.pdf", tmp_path / "profile-pdf")
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) >= 1
    # A4 is 595 x 842 points
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]", pdf)
    png = screenshot(page, tmp_path / "phone.png", tmp_path / "profile-png", 390, 844)
    pixels = matplotlib.image.imread(png)
    assert pixels.shape[:2] == (844, 390)
    rgb = pixels[..., :3]
    assert float(rgb.std()) > 0.05  # not a blank page
    assert float((rgb.mean(axis=2) < 0.5).mean()) > 0.01  # some dark text rendered
