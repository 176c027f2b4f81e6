"""Small event sets for estimator tests: real sample events, or hand-made ones."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from streetlight.geo.grid import Grid
from streetlight.hotspots.base import EventSet, StudyArea, month_index
from streetlight.ingest import ingest
from streetlight.store import Store
from tests.conftest import SAMPLE_ZIP

VIOLENCE = "Violence and sexual offences"


def make_events(
    cells: list[int], months: list[int], area: StudyArea, categories: list[str] | None = None
) -> EventSet:
    """Events at the centres of study-area cells `cells` in month indexes `months`."""
    x, y = area.centres()
    c = np.asarray(cells, dtype=np.int64)
    n = len(c)
    cats = np.asarray(categories or [VIOLENCE] * n)
    return EventSet(
        cell=c,
        x=x[c],
        y=y[c],
        month=np.asarray(months, dtype=np.int64),
        day=np.full(n, np.nan),
        weight=np.ones(n),
        category=cats,
        location=np.array(["On or near Somewhere"] * n, dtype=object),
        target=cats == VIOLENCE,
    )


@pytest.fixture
def square_area() -> StudyArea:
    """A full 9 x 7 block of 100 m cells."""
    i, j = np.meshgrid(np.arange(10, 19), np.arange(-3, 4), indexing="ij")
    return StudyArea(
        Grid(100.0), i.ravel().astype(np.int64), j.ravel().astype(np.int64), "EPSG:27700"
    )


@pytest.fixture(scope="session")
def sample_events() -> tuple[EventSet, StudyArea]:
    """The bundled real sample (all four crime types), violence as the target."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(tmp, create=True)
        ingest([SAMPLE_ZIP], store)
        incidents = store.incidents()
    area = StudyArea.from_incidents(incidents, 150.0, "EPSG:27700")
    return EventSet.from_incidents(incidents, area, targets=[VIOLENCE]), area


FORECAST_MONTH = month_index(date(2025, 6, 1))
