"""The README's main job, end to end on the bundled sample."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from streetlight.demo.pipeline import run_demo
from streetlight.deploy.defaults import VIOLENCE
from streetlight.hotspots.forecast import make_forecast
from streetlight.hotspots.harm import CCHI_NOTE
from streetlight.hotspots.registry import RECOMMENDED
from streetlight.store import Store


def _report_counts(store: Path) -> dict[str, int]:
    """Public reports per status in the demo's embedded database."""
    with contextlib.closing(sqlite3.connect(store / "streetlight.db")) as db:
        rows = db.execute("SELECT status, COUNT(*) FROM public_reports GROUP BY status")
        return {status: count for status, count in rows}


def test_demo_writes_maps_and_summary(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "store", tmp_path / "out")
    assert (result.first_month, result.last_month) == ("2024-12", "2025-11")
    assert result.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = result.html.read_text(encoding="utf-8")
    assert "plotly" in page.lower()
    # Self-contained: no script or stylesheet fetched from the network.
    assert not re.search(r"<script[^>]+src=[\"']https?:", page)
    assert "Open Government Licence" in page
    cells = pl.read_csv(result.csv)
    assert cells["count"].sum() == result.concentration.crimes > 20_000
    assert "top 5%" in result.summary.read_text(encoding="utf-8")
    share = result.concentration.share_in_top(5)
    assert 0.2 < share < 0.6  # violence is concentrated, as the literature and the issue expect
    png, html, csv = result.forecast_files
    assert png.name == "hotspots-2025-12.png" and html.exists()
    forecast = pl.read_csv(csv)
    assert forecast.columns == ["cell_id", "x", "y", "lon", "lat", "score", "rank"]
    assert "Forecast for 2025-12" in result.summary_lines[-4]
    assert "Public reports of feeling unsafe (synthetic" in result.summary_lines[-3]
    plan_png, plan_html, posts_csv, schedule_csv, index = result.plan_files
    assert plan_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plan_html.exists()
    posts = pl.read_csv(posts_csv)
    # 650 officers a day in units of two: 98 + 113 + 113 units (one early officer left over)
    assert dict(posts.group_by("shift").agg(pl.col("units").sum()).iter_rows()) == {
        "early": 98,
        "late": 113,
        "night": 113,
    }
    units = pl.read_csv(schedule_csv)["unit"].n_unique()
    assert len(list(index.parent.glob("*.html"))) == units + 1
    assert "Patrol plan for 2025-12: 650 officers" in result.summary_lines[-2]
    # the plan weighs crimes as `streetlight plan` does by default, and says so
    assert result.summary_lines[-1] == CCHI_NOTE
    plain = make_forecast(
        Store.open(tmp_path / "store"),
        [VIOLENCE],
        date(2025, 12, 1),
        RECOMMENDED,
        force="cleveland",
    )
    assert result.forecast.scores == pytest.approx(194.21 * plain.scores)  # violence's CCHI days
    reports = _report_counts(tmp_path / "store")
    assert reports["accepted"] > 100 and reports["pending"] > 0
    assert (tmp_path / "store" / "report-area.geojson").is_file()
    again = run_demo(tmp_path / "store", tmp_path / "out")  # re-running adds nothing
    assert _report_counts(tmp_path / "store") == reports
    assert again.ingest.accepted == 0
    assert again.summary_lines == result.summary_lines
    # The demo force for the web app, seeded beside the store; re-seeding duplicates nothing.
    assert result.force is not None and again.force is not None
    assert [a.username for a in result.force.accounts] == [
        "dc2207", "dc2311", "pc1001", "operator", "supervisor", "analyst",
        "dc3101", "dc3102", "ds3100", "auditor",
    ]  # fmt: skip
    assert again.force.accounts == result.force.accounts
