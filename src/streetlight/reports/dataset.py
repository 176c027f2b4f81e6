"""Accepted reports as a frame for the analysis (the perception layer, the exports, the analyst
map): one row per report with its point, day, band and factors, and nothing anyone wrote.

Only `accepted` reports count: pending ones are unread, merged ones are counted through the
report they duplicate, rejected ones were spam.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from streetlight.db.engine import display_url, make_engine, session_factory
from streetlight.db.models import PublicReport
from streetlight.errors import ReportError
from streetlight.hotspots.base import StudyArea
from streetlight.reports.categories import ReportStatus
from streetlight.reports.perception import PerceptionLayer, perception_from_frame

ACCEPTED_SCHEMA: dict[str, type[pl.DataType]] = {
    "report_id": pl.Int64,
    "lon": pl.Float64,
    "lat": pl.Float64,
    "occurred_on": pl.Date,
    "time_band": pl.Int8,
    "factor_mask": pl.Int64,
}


def accepted_frame(session: Session) -> pl.DataFrame:
    """Accepted reports, one row each, by id: report_id, lon, lat (WGS84 degrees, null when
    unlocated), occurred_on, time_band, factor_mask. No text, place or scores."""
    rows = session.execute(
        select(
            PublicReport.id,
            PublicReport.lon,
            PublicReport.lat,
            PublicReport.occurred_on,
            PublicReport.time_band,
            PublicReport.factor_mask,
        )
        .where(PublicReport.status == ReportStatus.ACCEPTED)
        .order_by(PublicReport.id)
    ).all()
    columns = list(ACCEPTED_SCHEMA)
    data = {name: [row[n] for row in rows] for n, name in enumerate(columns)}
    return pl.DataFrame(data, schema=ACCEPTED_SCHEMA)


class ReportsReadError(ReportError):
    """The operational database could not be read for accepted reports."""


def load_accepted(database_url: str) -> pl.DataFrame:
    """`accepted_frame` of the database at `database_url` (for the command line); a one-line
    error that names the database (password hidden) when it is missing, unreachable or not
    migrated, and says how to fix it."""
    parsed = make_url(database_url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise ReportsReadError(
            f"{display_url(database_url)}: no database there (give --database, or run "
            "`streetlight serve` or `streetlight db upgrade` to create it)"
        )
    try:
        engine = make_engine(database_url)
        try:
            with session_factory(engine)() as session:
                return accepted_frame(session)
        finally:
            engine.dispose()
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        reason = str(orig or exc).strip().splitlines()[0]
        raise ReportsReadError(
            f"{display_url(database_url)}: cannot read public reports ({reason}; "
            "`streetlight db upgrade` brings the schema up to date)"
        ) from None


def accepted_layer(area: StudyArea, database_url: str) -> tuple[PerceptionLayer, int]:
    """The perception layer of the accepted reports of the database at `database_url` on
    `area`, and how many reports were accepted (the layer leaves out the unplaceable ones).

    The one place `hotspots --reports`, `plan --reports` and `reports layer` read the reports
    from, so they count them the same way."""
    frame = load_accepted(database_url)
    return perception_from_frame(frame, area), frame.height
