"""Patrol dosage: simulated patrols against their schedule, every quarantine reason, a night across
midnight and across a clock change, and a brute-force reference on random pings."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streetlight.deploy.dosage import (
    UTC_US,
    Dosage,
    DosageSettings,
    Plan,
    dosage,
    locate,
)
from streetlight.deploy.pings import (
    PingFile,
    check_pings,
    local_text,
    parse_zone,
    plan_from_tables,
    plan_zone,
)
from streetlight.deploy.pings import ping_file as ping_table
from streetlight.errors import StreetlightError
from streetlight.geo.crs import BRITISH_NATIONAL_GRID, WGS84, transform
from streetlight.ingest.csvread import read_delimited

# A hand-made plan in Middlesbrough, British National Grid metres. 150 m cells.
POSTS = {"early-001": (450_000.0, 520_000.0), "early-002": (451_000.0, 520_000.0)}
POSTS["night-001"] = (450_000.0, 519_000.0)
A, B, C = (450_000.0, 520_150.0), (450_150.0, 520_000.0), (449_850.0, 520_000.0)
N1, N2, N3 = (450_000.0, 519_150.0), (450_150.0, 519_000.0), (449_850.0, 519_150.0)
# (unit, order, cell, arrive, leave) in UTC; the night unit's second and third stops are after
# midnight. early-002 has no stops: its beat had no forecast harm.
VISITS = [
    ("early-001", 1, A, "2025-12-01T07:00", "2025-12-01T07:15"),
    ("early-001", 2, B, "2025-12-01T07:20", "2025-12-01T07:32"),
    ("early-001", 3, C, "2025-12-01T07:40", "2025-12-01T07:55"),
    ("early-001", 4, A, "2025-12-01T08:00", "2025-12-01T08:12"),
    ("night-001", 1, N1, "2025-12-01T23:30", "2025-12-01T23:45"),
    ("night-001", 2, N2, "2025-12-02T00:10", "2025-12-02T00:25"),
    ("night-001", 3, N3, "2025-12-02T06:40", "2025-12-02T06:55"),
]


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = transform(BRITISH_NATIONAL_GRID, WGS84, np.array([x]), np.array([y]))
    return float(lon[0]), float(lat[0])


def _cell(xy: tuple[float, float]) -> str:
    return f"150m:{int(xy[0] // 150)}:{int(xy[1] // 150)}"


def units_csv(posts: dict[str, tuple[float, float]] = POSTS) -> str:
    lines = ["shift,unit,officers,post,x,y,lon,lat,place"]
    for unit, xy in posts.items():
        lon, lat = _lonlat(*xy)
        lines.append(f"{unit.split('-')[0]},{unit},2,{_cell(xy)},{xy[0]},{xy[1]},{lon},{lat},Post")
    return "\n".join(lines) + "\n"


def schedule_csv(
    visits: Sequence[tuple[str, int, tuple[float, float], str, str]] = VISITS,
    day: str = "2025-12-01",
    offset: str = "+00:00",
) -> str:
    head = "date,shift,unit,post,order,cell_id,x,y,lon,lat,place,arrive,leave,dwell_minutes,walk"
    lines = [head + "_minutes"]
    for unit, order, xy, arrive, leave in visits:
        lon, lat = _lonlat(*xy)
        minutes = (datetime.fromisoformat(leave) - datetime.fromisoformat(arrive)).seconds / 60
        arrive_at, leave_at = (a if a[-6] in "+-" else a + offset for a in (arrive, leave))
        lines.append(
            f"{day},{unit.split('-')[0]},{unit},{_cell(POSTS[unit])},{order},{_cell(xy)},"
            f"{xy[0]},{xy[1]},{lon},{lat},Street {order},{arrive_at},{leave_at},{minutes},2.0"
        )
    return "\n".join(lines) + "\n"


def make_plan(units: str | None = None, schedule: str | None = None) -> Plan:
    return plan_from_tables(
        read_delimited((units or units_csv()).encode(), "units.csv", "units.csv"),
        read_delimited((schedule or schedule_csv()).encode(), "schedule.csv", "schedule.csv"),
    )


def ping_file(text: str | bytes, name: str = "pings.csv") -> PingFile:
    data = text.encode() if isinstance(text, str) else text
    return ping_table(read_delimited(data, name, name))


def _project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return transform(WGS84, BRITISH_NATIONAL_GRID, lon, lat)


def simulate(
    plan: Plan,
    *,
    every: float = 30.0,
    skip: Collection[tuple[str, int]] = (),
    silent: Collection[str] = (),
    jitter: float = 10.0,
    seed: int = 0,
) -> pl.DataFrame:
    """Pings (unit_id, timestamp, lat, lon) of units keeping to `plan`: every `every` seconds from
    shift start to end; at a stop during its window (within `jitter` m), walking in a straight
    line between stops, at the post before the first and after the last. A skipped stop's window
    is spent 1 km east of the post."""
    rng = np.random.default_rng(seed)
    frames = []
    for shift in plan.shifts.iter_rows(named=True):
        if shift["unit"] in silent:
            continue
        stops = plan.stops.filter(pl.col("key") == shift["key"]).sort("order")
        post = _project(np.array([shift["post_lon"]]), np.array([shift["post_lat"]]))
        start, end = shift["start"], shift["end"]
        n = int((end - start).total_seconds() // every)
        times = [start + timedelta(seconds=every * k) for k in range(n + 1)]
        sx, sy = _project(stops["lon"].to_numpy(), stops["lat"].to_numpy())
        skipped = [(shift["unit"], o) in skip for o in stops["order"]]
        # Waypoints: post, then (arrive, leave) at each stop, then post again at the end.
        wt = [start]
        wx, wy = [post[0][0]], [post[1][0]]
        for i, (a, b) in enumerate(zip(stops["arrive_at"], stops["leave_at"], strict=True)):
            x, y = (post[0][0] + 1000, post[1][0]) if skipped[i] else (sx[i], sy[i])
            wt += [a, b]
            wx += [x, x]
            wy += [y, y]
        last_leave = wt[-1]
        wt.append(last_leave + timedelta(minutes=10))
        wx.append(post[0][0])
        wy.append(post[1][0])
        secs = np.array([(t - start).total_seconds() for t in times])
        wsecs = np.array([(t - start).total_seconds() for t in wt])
        x = np.interp(secs, wsecs, wx) + rng.uniform(-jitter, jitter, len(secs))
        y = np.interp(secs, wsecs, wy) + rng.uniform(-jitter, jitter, len(secs))
        lon, lat = transform(BRITISH_NATIONAL_GRID, WGS84, x, y)
        frames.append(
            pl.DataFrame(
                {
                    "unit_id": [shift["unit"]] * len(times),
                    "timestamp": [t.strftime("%Y-%m-%dT%H:%M:%S+00:00") for t in times],
                    "lat": lat,
                    "lon": lon,
                }
            )
        )
    return pl.concat(frames)


def run(plan: Plan, pings: pl.DataFrame, **options: float) -> Dosage:
    checked = check_pings(ping_file(pings.write_csv()), plan, plan_zone(plan))
    assert checked.quarantine.height == 0, checked.quarantine
    return dosage(plan, checked.accepted, DosageSettings(**options))


def stop_minutes(result: Dosage, unit: str) -> list[tuple[float, float]]:
    rows = result.stops.filter(pl.col("unit") == unit).sort("order")
    return list(zip(rows["planned_minutes"], rows["delivered_minutes"], strict=True))


# Delivered against planned ----------------------------------------------------------------------


def test_units_that_keep_to_the_schedule_deliver_every_planned_minute() -> None:
    plan = make_plan()
    result = run(plan, simulate(plan))
    assert result.crs == BRITISH_NATIONAL_GRID
    assert stop_minutes(result, "early-001") == [(15, 15), (12, 12), (15, 15), (12, 12)]
    assert result.stops["delivered_share"].to_list() == [1.0] * len(VISITS)
    early = result.units.filter(pl.col("unit") == "early-001").row(0, named=True)
    assert early["planned_minutes"] == early["delivered_minutes"] == 54
    # 961 pings, 07:00:00 to 15:00:00: every minute of the shift is covered, the last ping none.
    assert (early["pings"], early["signal_minutes"], early["no_signal_minutes"]) == (961, 480, 0)
    assert early["first_ping"] == datetime(2025, 12, 1, 7, tzinfo=UTC)
    assert early["last_ping"] == datetime(2025, 12, 1, 15, tzinfo=UTC)
    # Stops are within 150 m of the post; the walk home and the rest of the shift are there too.
    assert early["post_area_minutes"] == 480
    # Cell A is visited twice (27 planned minutes); walking past counts at any time, not in a window.
    at_a = result.stops.filter(pl.col("cell_id") == _cell(A))["shift_minutes_at_stop"]
    assert at_a.n_unique() == 1 and at_a[0] >= 27


def test_a_skipped_stop_gets_nothing_and_lowers_the_share() -> None:
    plan = make_plan()
    result = run(plan, simulate(plan, skip={("early-001", 2)}))
    assert stop_minutes(result, "early-001") == [(15, 15), (12, 0), (15, 15), (12, 12)]
    skipped = result.stops.filter(pl.col("order") == 2, pl.col("unit") == "early-001")
    # Walking from the far point to C passes B: a minute or two near it, outside its window.
    assert 0 < skipped["shift_minutes_at_stop"][0] < 3
    early = result.units.filter(pl.col("unit") == "early-001")
    assert early["delivered_share"][0] == pytest.approx(42 / 54)
    # Outside the 400 m patrol area: 12 minutes 1 km east, 62% of the 5-minute walk out there
    # from A (0, 150) and 52% of the 8-minute walk back to C (-150, 0), post at the origin.
    assert early["post_area_minutes"][0] == pytest.approx(480 - 12 - 0.62 * 5 - 0.52 * 8, abs=0.5)


def test_a_unit_that_never_pinged_is_listed() -> None:
    plan = make_plan()
    result = run(plan, simulate(plan, silent={"early-002"}))
    early = result.shifts.filter(pl.col("shift") == "early").row(0, named=True)
    assert (early["units"], early["silent_units"], early["silent"]) == (2, 1, ["early-002"])
    unit = result.units.filter(pl.col("unit") == "early-002").row(0, named=True)
    assert (unit["pings"], unit["signal_minutes"], unit["no_signal_minutes"]) == (0, 0, 480)
    assert unit["first_ping"] is None and unit["stops"] == 0
    assert unit["delivered_share"] is None  # nothing was planned for it
    assert early["planned_minutes"] == 54 and early["delivered_minutes"] == 54


def _drop(pings: pl.DataFrame, unit: str, after: str, before: str) -> pl.DataFrame:
    gone = (
        (pl.col("unit_id") == unit) & (pl.col("timestamp") > after) & (pl.col("timestamp") < before)
    )
    return pings.filter(~gone)


def test_a_gap_longer_than_max_gap_is_no_signal_time() -> None:
    plan = make_plan()
    # Pings at 07:00:00 .. 07:01:30, then none until 07:12:00, inside stop A's window.
    pings = _drop(simulate(plan), "early-001", "2025-12-01T07:01:31", "2025-12-01T07:12:00")
    result = run(plan, pings)
    # 1.5 min of 30 s pings, 5 min held by the 07:01:30 ping, 07:12-07:15: 9.5 of 15 minutes.
    assert stop_minutes(result, "early-001")[0] == (15, 9.5)
    unit = result.units.filter(pl.col("unit") == "early-001").row(0, named=True)
    assert unit["no_signal_minutes"] == pytest.approx(10.5 - 5)
    assert unit["signal_minutes"] + unit["no_signal_minutes"] == 480
    wider = run(plan, pings, max_gap=15.0)
    assert stop_minutes(wider, "early-001")[0] == (15, 15)
    assert wider.units.filter(pl.col("unit") == "early-001")["no_signal_minutes"][0] == 0


def test_sparse_pings_are_exact_to_the_ping_interval() -> None:
    plan = make_plan()
    result = run(plan, simulate(plan, every=90.0, seed=3))
    for planned, delivered in stop_minutes(result, "early-001"):
        assert abs(planned - delivered) <= 1.5


def test_a_night_shift_runs_past_midnight() -> None:
    plan = make_plan()
    night = plan.shifts.filter(pl.col("unit") == "night-001").row(0, named=True)
    assert night["start"] == datetime(2025, 12, 1, 23, tzinfo=UTC)
    assert night["end"] == datetime(2025, 12, 2, 7, tzinfo=UTC)
    result = run(plan, simulate(plan))
    assert stop_minutes(result, "night-001") == [(15, 15), (15, 15), (15, 15)]
    unit = result.units.filter(pl.col("unit") == "night-001").row(0, named=True)
    assert unit["pings"] == 961 and unit["last_ping"] == datetime(2025, 12, 2, 7, tzinfo=UTC)


def test_results_do_not_depend_on_the_order_of_the_pings() -> None:
    plan = make_plan()
    pings = simulate(plan, skip={("night-001", 2)}, seed=5)
    a = run(plan, pings)
    b = run(plan, pings.sample(fraction=1.0, shuffle=True, seed=1))
    assert a.stops.equals(b.stops) and a.units.equals(b.units) and a.shifts.equals(b.shifts)


# A brute-force reference ------------------------------------------------------------------------


def reference(plan: Plan, pings: pl.DataFrame, options: DosageSettings) -> dict[str, list[float]]:
    """The definition, one ping and one stop at a time."""
    gap = options.max_gap * 60
    px, py = _project(pings["lon"].to_numpy(), pings["lat"].to_numpy())
    by_unit: dict[str, list[tuple[float, float, float]]] = {}
    for unit, time, x, y in zip(pings["unit"], pings["time"], px, py, strict=True):
        by_unit.setdefault(unit, []).append((time.timestamp(), float(x), float(y)))
    held: dict[str, list[tuple[float, float, float, float]]] = {}
    for unit, rows in by_unit.items():
        rows.sort()
        held[unit] = []
        for i, (t, x, y) in enumerate(rows):
            span = min(rows[i + 1][0] - t, gap) if i + 1 < len(rows) else 0.0
            held[unit].append((t, t + span, x, y))
    delivered, anytime = [], []
    for stop in plan.stops.join(plan.shifts.select("key", "unit"), on="key").iter_rows(named=True):
        cx, cy = _project(np.array([stop["lon"]]), np.array([stop["lat"]]))
        a, b = stop["arrive_at"].timestamp(), stop["leave_at"].timestamp()
        inside, whole = 0.0, 0.0
        for t0, t1, x, y in held.get(stop["unit"], []):
            if np.hypot(x - cx[0], y - cy[0]) <= options.stop_radius:
                inside += max(0.0, min(t1, b) - max(t0, a))
                whole += t1 - t0
        delivered.append(inside / 60)
        anytime.append(whole / 60)
    area, signal = [], []
    for shift in plan.shifts.iter_rows(named=True):
        qx, qy = _project(np.array([shift["post_lon"]]), np.array([shift["post_lat"]]))
        spans = held.get(shift["unit"], [])
        signal.append(sum(t1 - t0 for t0, t1, _, _ in spans) / 60)
        near = [
            t1 - t0 for t0, t1, x, y in spans if np.hypot(x - qx[0], y - qy[0]) <= options.radius
        ]
        area.append(sum(near) / 60)
    return {"delivered": delivered, "anytime": anytime, "area": area, "signal": signal}


def random_pings(plan: Plan, rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Pings in random shifts: half at any time, half within 90 s of a stop's arrive or leave
    (where windows cut pings in two); placed within 160 m of a random stop of the unit or 600 m
    of its post. Gaps run from seconds to past any max-gap."""
    units, times, xs, ys = [], [], [], []
    shifts = plan.shifts.to_dicts()
    for k in rng.integers(0, len(shifts), n):
        shift = shifts[int(k)]
        stops = plan.stops.filter(pl.col("key") == shift["key"])
        seconds = int((shift["end"] - shift["start"]).total_seconds())
        time = shift["start"] + timedelta(seconds=int(rng.integers(0, seconds + 1)))
        stop = stops.row(int(rng.integers(0, stops.height)), named=True) if stops.height else None
        if stop is not None and rng.random() < 0.5:
            edge = stop["arrive_at"] if rng.random() < 0.5 else stop["leave_at"]
            time = edge + timedelta(seconds=int(rng.integers(-90, 91)))
            time = min(max(time, shift["start"]), shift["end"])
        if stop is not None and rng.random() < 0.7:
            centre, spread = (stop["lon"], stop["lat"]), 160.0
        else:
            centre, spread = (shift["post_lon"], shift["post_lat"]), 600.0
        cx, cy = _project(np.array([centre[0]]), np.array([centre[1]]))
        units.append(shift["unit"])
        times.append(time)
        xs.append(cx[0] + rng.uniform(-spread, spread))
        ys.append(cy[0] + rng.uniform(-spread, spread))
    lon, lat = transform(BRITISH_NATIONAL_GRID, WGS84, np.array(xs), np.array(ys))
    frame = pl.DataFrame(
        {"unit": units, "time": times, "lon": lon, "lat": lat},
        schema={"unit": pl.String, "time": UTC_US, "lon": pl.Float64, "lat": pl.Float64},
    )
    return frame.unique(["unit", "time"], keep="first", maintain_order=True)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 400), max_gap=st.sampled_from([0.5, 5.0]))
def test_matches_a_brute_force_reference(seed: int, n: int, max_gap: float) -> None:
    plan = make_plan()
    pings = random_pings(plan, np.random.default_rng(seed), n)
    options = DosageSettings(radius=400.0, stop_radius=100.0, max_gap=max_gap)
    result = dosage(plan, pings, options)
    expected = reference(plan, pings, options)
    stops = result.stops.sort("key", "order")
    assert stops["delivered_minutes"].to_list() == pytest.approx(expected["delivered"])
    assert stops["shift_minutes_at_stop"].to_list() == pytest.approx(expected["anytime"])
    units = result.units  # in shift key order, as plan.shifts
    assert units["post_area_minutes"].to_list() == pytest.approx(expected["area"])
    assert units["signal_minutes"].to_list() == pytest.approx(expected["signal"])
    assert units["pings"].sum() == pings.height


# Reading and quarantine -------------------------------------------------------------------------

LON, LAT = _lonlat(*A)
GOOD = f"{LAT},{LON}"
QUARANTINE_CASES = [
    # (line after the header, reason or None when accepted, field)
    (f"early-001,2025-12-01T07:00:00+00:00,{GOOD},12", None, None),
    (f",2025-12-01T07:00:30Z,{GOOD},12", "missing_value", "Unit_ID"),
    (f"early-001,yesterday,{GOOD},12", "bad_timestamp", "TimeStamp"),
    (f"early-001,2025-13-01T07:01:00Z,{GOOD},12", "bad_timestamp", "TimeStamp"),
    (f"early-001,2025-12-01T07:01:00+25:00,{GOOD},12", "bad_timestamp", "TimeStamp"),
    (f"early-001,2025-12-01T07:01:30Z,abc,{LON},12", "bad_coordinate", "LAT"),
    (f"early-001,2025-12-01T07:02:00Z,95.0,{LON},12", "bad_coordinate", "Lon, LAT"),
    ("early-001,2025-12-01T07:02:30Z,0,0,12", "bad_coordinate", "Lon, LAT"),
    (f"early-001,2025-12-01T07:03:00Z,nan,{LON},12", "bad_coordinate", "Lon, LAT"),
    (f"late-999,2025-12-01T07:03:30Z,{GOOD},12", "unknown_unit", "Unit_ID"),
    (f"early-001,2025-12-01T08:00:00+01:00,{GOOD},12", "duplicate_ping", "TimeStamp"),
    (f"early-001,2025-12-01T16:00:00Z,{GOOD},12", "outside_shift", "TimeStamp"),
    ("early-001,2025-12-01T07:04:00Z", "wrong_field_count", None),
    (f"early-001,2025-12-01 07:05:00,{GOOD},12", None, None),
    (f"night-001,2025-12-02T03:00:00.250Z,{GOOD},12", None, None),
]


def test_every_quarantine_reason_and_nothing_is_lost() -> None:
    header = "\ufeff Unit_ID , TimeStamp,LAT,Lon,speed"
    text = "\n".join([header, *(line for line, _, _ in QUARANTINE_CASES)]) + "\n"
    checked = check_pings(ping_file(text), make_plan(), UTC)
    assert checked.rows_read == len(QUARANTINE_CASES)
    assert checked.accepted.height + checked.quarantine.height == checked.rows_read
    got = {r["row"]: (r["reason"], r["field"]) for r in checked.quarantine.iter_rows(named=True)}
    for row, (_, reason, field) in enumerate(QUARANTINE_CASES, start=2):
        if reason is None:
            assert row in checked.accepted["row"].to_list()
        else:
            assert got[row] == (reason, field), row
    q = checked.quarantine.sort("row")
    assert q.columns == ["source", "row", "reason", "field", "detail", "raw"]
    assert set(q["source"]) == {"pings.csv"}
    details = dict(zip(q["row"], q["detail"], strict=True))
    assert details[12] == "same unit and time as row 2"
    assert details[9] == "(0, 0): the receiver had no fix"
    assert details[4] == "'yesterday' is not an ISO 8601 date-time"
    assert '"TimeStamp":"yesterday"' in q.filter(pl.col("row") == 4)["raw"][0]
    times = checked.accepted.sort("row")["time"].to_list()
    assert times == [
        datetime(2025, 12, 1, 7, tzinfo=UTC),
        datetime(2025, 12, 1, 7, 5, tzinfo=UTC),  # naive, read in the plan's zone
        datetime(2025, 12, 2, 3, 0, 0, 250_000, tzinfo=UTC),
    ]


CELLS = st.sampled_from(
    [
        "early-001",
        "night-001",
        "nobody",
        "",
        "2025-12-01T07:00:00Z",
        "2025-12-01 09:30",
        "2025-12-02T01:00:00+00:00",
        "2025-12-01T16:00Z",
        "soon",
        GOOD,
        str(LAT),
        str(LON),
        "0",
        "abc",
        "-200",
    ]
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(CELLS, min_size=3, max_size=5), max_size=40))
def test_accepted_plus_quarantined_is_rows_read(rows: list[list[str]]) -> None:
    text = "unit_id,timestamp,lat,lon\n" + "".join(",".join(r) + "\n" for r in rows)
    checked = check_pings(ping_file(text), make_plan(), UTC)
    accepted, quarantined = checked.accepted["row"].to_list(), checked.quarantine["row"].to_list()
    assert checked.rows_read == len(rows)
    assert sorted(accepted + quarantined) == list(range(2, len(rows) + 2))
    if accepted:
        dosage(make_plan(), checked.accepted)  # whatever is accepted can be measured


def test_a_missing_column_names_the_file_and_the_column() -> None:
    with pytest.raises(StreetlightError, match=r"^gps\.csv: no 'lat' column \(columns: unit_id"):
        ping_file("unit_id,timestamp,lon\nearly-001,2025-12-01T07:00Z,-1.2\n", "gps.csv")
    with pytest.raises(StreetlightError, match=r"^gps\.csv: no 'unit_id' column \(columns: none"):
        ping_file(b"", "gps.csv")


def test_plan_errors_name_the_file_row_and_field() -> None:
    bad_time = schedule_csv().replace("2025-12-01T07:20+00:00", "07:20", 1)
    with pytest.raises(StreetlightError, match=r"schedule\.csv row 3: arrive '07:20' is not"):
        make_plan(schedule=bad_time)
    stranger = schedule_csv().replace("early-001", "early-009", 1)
    with pytest.raises(StreetlightError, match=r"row 2: unit 'early-009' is not in units\.csv"):
        make_plan(schedule=stranger)
    no_lon = units_csv().replace(",lon,", ",longitude,")
    with pytest.raises(StreetlightError, match=r"^units\.csv: no 'lon' column"):
        make_plan(units=no_lon)
    with pytest.raises(StreetlightError, match=r"schedule has no visits"):
        make_plan(schedule=schedule_csv(visits=[]))
    with pytest.raises(StreetlightError, match="stop radius must be positive"):
        DosageSettings(stop_radius=0)


# Time zones --------------------------------------------------------------------------------------

# The night of 25-26 October 2025 in London: clocks go back at 02:00 BST to 01:00 GMT.
DST_VISITS = [
    ("night-001", 1, N1, "2025-10-25T23:00+01:00", "2025-10-25T23:15+01:00"),
    ("night-001", 2, N2, "2025-10-26T03:00+00:00", "2025-10-26T03:15+00:00"),
]


def test_a_night_across_a_clock_change_is_eight_real_hours() -> None:
    plan = make_plan(
        units=units_csv({"night-001": POSTS["night-001"]}),
        schedule=schedule_csv(DST_VISITS, day="2025-10-25"),
    )
    assert plan.offsets == (0, 60) and plan_zone(plan) is None
    night = plan.shifts.row(0, named=True)
    assert night["start"] == datetime(2025, 10, 25, 22, tzinfo=UTC)
    assert night["end"] == datetime(2025, 10, 26, 6, tzinfo=UTC)
    text = (
        "unit_id,timestamp,lat,lon\n"
        f"night-001,2025-10-25 23:30:00,{GOOD}\n"  # BST: 22:30 UTC
        f"night-001,2025-10-26 01:30:00,{GOOD}\n"  # happens twice: ambiguous
        f"night-001,2025-10-26 03:00:00,{GOOD}\n"  # GMT
        f"night-001,2025-10-26 06:30:00,{GOOD}\n"  # before 07:00 on the wall, after 8 real hours
    )
    with pytest.raises(StreetlightError, match=r"carry several \(\+00:00, \+01:00\): give --timez"):
        check_pings(ping_file(text), plan, plan_zone(plan))
    checked = check_pings(ping_file(text), plan, parse_zone("Europe/London"))
    assert checked.accepted["time"].to_list() == [
        datetime(2025, 10, 25, 22, 30, tzinfo=UTC),
        datetime(2025, 10, 26, 3, tzinfo=UTC),
    ]
    assert checked.quarantine["reason"].to_list() == ["bad_timestamp", "outside_shift"]
    assert "Europe/London" in checked.quarantine["detail"][0]


@pytest.mark.parametrize(
    ("text", "offset"),
    [("UTC", 0), ("Z", 0), ("+01:00", 60), ("-0530", -330), ("+09", 540)],
)
def test_fixed_offsets(text: str, offset: int) -> None:
    zone = parse_zone(text)
    assert zone.utcoffset(None) == timedelta(minutes=offset)


def test_named_zones_and_bad_zones() -> None:
    assert parse_zone("Europe/London") == ZoneInfo("Europe/London")
    with pytest.raises(StreetlightError, match="--timezone: unknown time zone 'Mars/Olympus'"):
        parse_zone("Mars/Olympus")


def test_local_text_writes_the_offset() -> None:
    when = pl.DataFrame({"t": [datetime(2025, 7, 1, 12, tzinfo=UTC)]})
    assert when.select(local_text(pl.col("t"), parse_zone("Europe/London")))["t"][0] == (
        "2025-07-01T13:00:00+01:00"
    )
    assert when.select(local_text(pl.col("t"), parse_zone("-05:30")))["t"][0] == (
        "2025-07-01T06:30:00-05:30"
    )


def test_locate_finds_the_shift_or_none() -> None:
    plan = make_plan()
    times = [datetime(2025, 12, 1, 7, tzinfo=UTC), datetime(2025, 12, 2, 6, 59, tzinfo=UTC)]
    units = ["early-002", "night-001"]
    keys = locate(plan, pl.Series(units), pl.Series(times)).to_list()
    assert [plan.shifts["unit"][k] for k in keys] == units
    late = locate(
        plan, pl.Series(["early-002"]), pl.Series([datetime(2025, 12, 1, 15, 1, tzinfo=UTC)])
    )
    assert late.to_list() == [None]
