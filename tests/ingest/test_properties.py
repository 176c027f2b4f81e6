"""Property: for any rows, accepted + quarantined = read, and each row number is used exactly once."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetlight.ingest import ingest
from streetlight.store import Store
from tests.conftest import sample_lines

HEADER = next(csv.reader([sample_lines()[0]]))
_counter = itertools.count()

text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)
month = st.one_of(
    st.sampled_from(["2024-01", "2025-11", "2024-13", "24-01", ""]),
    text,
)
coordinate = st.one_of(
    st.floats(-200, 200).map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e400"]),
    st.floats(-1.5, -0.8).map(lambda v: f"{v:.6f}"),
    st.floats(54.4, 54.8).map(lambda v: f"{v:.6f}"),
    st.just(""),
    text,
)
crime_id = st.one_of(st.just(""), st.sampled_from(["a1", "a2", "a3"]), text)
row = st.fixed_dictionaries(
    {
        "Crime ID": crime_id,
        "Month": month,
        "Reported by": st.just("Cleveland Police"),
        "Falls within": st.sampled_from(["Cleveland Police", ""]),
        "Longitude": coordinate,
        "Latitude": coordinate,
        "Location": text,
        "LSOA code": text,
        "LSOA name": text,
        "Crime type": st.sampled_from(["Violence and sexual offences", "Robbery", ""]),
        "Last outcome category": text,
        "Context": text,
    }
)
# Some rows lose or gain fields, as a truncated or badly joined line would.
shape = st.sampled_from(["ok", "ok", "ok", "short", "long"])


def render(rows: list[tuple[dict[str, str], str]]) -> bytes:
    buffer = io.StringIO()
    # CRLF line ends make the writer quote any field holding a bare CR or LF, as Excel does.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for values, kind in rows:
        fields = [values[h] for h in HEADER]
        if kind == "short":
            fields = fields[:5]
        elif kind == "long":
            fields = [*fields, "extra"]
        writer.writerow(fields)
    return buffer.getvalue().encode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(row, shape), min_size=1, max_size=30))
def test_accepted_plus_quarantined_equals_read(rows: list[tuple[dict[str, str], str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        path = base / f"2024-01-cleveland-street-{next(_counter)}.csv"
        path.write_bytes(render(rows))
        store = Store.open(base / "store", create=True)
        report = ingest([path], store)
        physical_records = len(rows)
        assert report.rows_read == physical_records
        assert report.accepted + report.quarantined == report.rows_read
        accepted = store.incidents()
        quarantined = store.quarantine()
        assert accepted.height == report.accepted
        assert quarantined.height == report.quarantined
        accepted_rows = accepted["source"].str.extract(r":(\d+)$").cast(int).to_list()
        numbers = sorted(accepted_rows + quarantined["row"].to_list())
        assert numbers == list(range(2, physical_records + 2))
        assert quarantined["reason"].null_count() == 0
