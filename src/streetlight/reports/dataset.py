"""Accepted reports as a frame for the analysis (the perception layer, the exports, the analyst
map): one row per report with its point, day, band and factors, and nothing anyone wrote.

Only `accepted` reports count: pending ones are unread, merged ones are counted through the
report they duplicate, rejected ones were spam.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db.engine import make_engine, session_factory
from streetlight.db.models import PublicReport
from streetlight.reports.categories import ReportStatus

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


def load_accepted(database_url: str) -> pl.DataFrame:
    """`accepted_frame` of the database at `database_url` (for the command line)."""
    engine = make_engine(database_url)
    try:
        with session_factory(engine)() as session:
            return accepted_frame(session)
    finally:
        engine.dispose()
