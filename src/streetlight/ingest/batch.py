"""Work on one batch of files that both ingest paths share: reading a file (hash and sniff),
reading files on two threads, keeping one row per incident id, and projecting lon/lat to x/y.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.geo.crs import WGS84, area_of_use, transform, transform_columns
from streetlight.ingest.adapter import Format
from streetlight.ingest.checks import FILE, as_quarantine
from streetlight.ingest.csvread import RawTable, Sniffed, sniff
from streetlight.ingest.formats import Parsed
from streetlight.ingest.sources import SourceFile
from streetlight.store.manifest import ForceInfo
from streetlight.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA

WORKERS = 2
# Up to this many rows are cut out of a batch by slicing around them rather than by a filter.
MAX_CUTS = 256


@dataclass
class Loaded:
    file: SourceFile
    sha256: str
    size: int
    sniffed: Sniffed | None  # None when the bytes are already in the store
    raw: RawTable | None = None  # once parsed


def load_file(file: SourceFile, known: AbstractSet[str]) -> Loaded:
    data = file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest in known:
        return Loaded(file, digest, len(data), None)
    return Loaded(file, digest, len(data), sniff(data, file.name, file.label))


def ordered_map(
    func: Callable[[SourceFile], Loaded],
    files: Sequence[SourceFile],
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[Loaded]:
    """`func` over `files` on worker threads, results in order; `meanwhile` runs on this thread
    once the work is queued."""
    # Decompression, hashing and the byte checks of `sniff` release the GIL: two threads use both
    # cores.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(func, f) for f in files]
        try:
            if meanwhile is not None:
                meanwhile()
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def warm_up(crs: str | None) -> None:
    """Pay one-time set-up costs now, on this thread, while worker threads read the files.

    PROJ sets up an operation (~0.1 s) once per process and thread, on the first point it
    transforms; the transformer is cached (`geo.crs`) and this is the thread that projects, so
    the projection reuses it. Polars imports `numpy.ma` (~0.03 s, more without bytecode caches)
    on its first conversion from numpy.
    """
    pl.Series(np.zeros(1))
    if crs is None or crs == WGS84:
        return
    try:
        area = area_of_use(crs)
        lon, lat = (area.west + area.east) / 2, (area.south + area.north) / 2
        transform(WGS84, crs, np.array([lon]), np.array([lat]))
    except Exception:  # the projection step itself reports any problem
        return


def dedupe_batch(accepted: pl.DataFrame, fmt: Format) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Keep one row per (force, incident_id) within the batch: the first or the last, per format."""
    key = ["force", "incident_id"]
    # Candidates first, by a 64-bit hash of the id (this process's hash, used only to narrow the
    # search, never stored); the exact rule then runs on the few candidate rows.
    hashed = accepted["incident_id"].hash()
    ordered = np.sort(hashed.to_numpy())  # numpy's integer sort: faster than a hash table here
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):  # no id twice: the usual case
        return accepted, []
    maybe = hashed.is_in(pl.Series(repeated).implode())
    keep_mask = (
        pl.struct(key).is_first_distinct()
        if fmt.keep == "first"
        else pl.struct(key).is_last_distinct()
    )
    # Only rows whose id repeats (few) need the precise per-force first/last rule.
    indexed = accepted.with_row_index("_i")
    candidates = (
        indexed.filter(maybe).filter(pl.struct(key).is_duplicated()).with_columns(_keep=keep_mask)
    )
    losing = candidates.filter(~pl.col("_keep"))
    if losing.height == 0:
        return accepted, []
    kept = without_rows(accepted, losing["_i"].to_numpy())
    winner = candidates.filter(pl.col("_keep")).select(*key, pl.col("source").alias("_winner"))
    losers = losing.drop("_keep", "_i").join(winner, on=key)
    reason = "duplicate_incident_id" if fmt.keep == "first" else "superseded"
    verb = "first seen at" if fmt.keep == "first" else "replaced by the later record at"
    detail = pl.format("incident id {} {}", pl.lit(verb), pl.col("_winner"))
    return kept, [as_quarantine(losers, reason, detail)]


def without_rows(frame: pl.DataFrame, rows: NDArray[np.uint32]) -> pl.DataFrame:
    """`frame` less the rows at the given positions, in order.

    A few rows go as slices around them (no copy of the rest); many, by a filter.
    """
    if len(rows) > MAX_CUTS:
        keep = np.ones(frame.height, dtype=np.bool_)
        keep[rows] = False
        return frame.filter(pl.Series(keep))
    cuts = np.unique(rows).tolist()
    starts = [0] + [r + 1 for r in cuts]
    ends = [*cuts, frame.height]
    return pl.concat([frame.slice(a, b - a) for a, b in zip(starts, ends, strict=True)])


def project(accepted: pl.DataFrame, forces: dict[str, ForceInfo]) -> pl.DataFrame:
    """Fill x/y (metres in each force's CRS) from lon/lat, each distinct point projected once.

    Rows are projected together per CRS, not per force: a national batch of data.police.uk files
    holds dozens of forces, all in the British National Grid (one PROJ call, not dozens).
    """
    if accepted.height == 0:
        return accepted
    crs_of = {str(slug): info.crs for slug, info in forces.items()}
    if len(set(crs_of.values())) <= 1:  # the usual case: no need to split the rows
        parts = {(next(iter(crs_of.values()), WGS84),): accepted}
        order = None
    else:
        tagged = accepted.with_row_index("_order").with_columns(
            pl.col("force").replace_strict(crs_of, return_dtype=pl.String).alias("_crs")
        )
        parts = {
            key: part.drop("_crs")
            for key, part in tagged.partition_by("_crs", as_dict=True, maintain_order=True).items()
        }
        order = "_order"
    projected = []
    for key, frame in parts.items():
        crs = str(key[0])
        if crs == WGS84:
            projected.append(frame)
            continue
        # Only the coordinates go through the join: the other columns are not copied.
        xy = transform_columns(frame.select("lon", "lat"), ("lon", "lat"), ("x", "y"), WGS84, crs)
        projected.append(frame.with_columns(xy["x"], xy["y"]))
    whole = pl.concat(projected)
    return whole.sort(order).drop(order) if order is not None else whole


@dataclass(frozen=True)
class ParsedFiles:
    """A batch's rows after the format's rules: `accepted` and `quarantine` carry `_file`, the
    row's file index among the batch's tables; `notes` are (file index, note)."""

    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    notes: list[tuple[int, str]]
    parsed: Parsed


# A format's `parse`, or a part of its rules with the same signature (`MappedFormat.check`).
Rules = Callable[[Sequence[RawTable], Sequence[str], pl.DataFrame | None], Parsed]


def parse_files(
    fmt: Format,
    raws: Sequence[RawTable],
    stored: pl.DataFrame | None,
    rules: Rules | None = None,
) -> ParsedFiles:
    """`fmt.parse` (or `rules`) over the tables that have a header (empty files have no rows
    to parse)."""
    with_rows = [i for i, raw in enumerate(raws) if raw.header]
    if not with_rows:
        parsed = Parsed(
            pl.DataFrame(schema={**INCIDENT_SCHEMA, FILE: pl.UInt32}),
            pl.DataFrame(schema={**QUARANTINE_SCHEMA, FILE: pl.UInt32}),
        )
        return ParsedFiles(parsed.accepted, parsed.quarantine, [], parsed)
    parse = fmt.parse if rules is None else rules
    parsed = parse([raws[i] for i in with_rows], [raws[i].label for i in with_rows], stored)
    accepted, quarantine = parsed.accepted, parsed.quarantine
    if len(with_rows) < len(raws):  # batch index -> index in `raws`
        back = pl.Series(with_rows, dtype=pl.UInt32)
        batch = pl.int_range(len(with_rows), dtype=pl.UInt32, eager=True)
        accepted = accepted.with_columns(pl.col(FILE).replace_strict(batch, back))
        quarantine = quarantine.with_columns(pl.col(FILE).replace_strict(batch, back))
    notes = [(with_rows[i], n) for i, n in parsed.notes]
    return ParsedFiles(accepted, quarantine, notes, parsed)
