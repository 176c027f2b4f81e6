"""Ingest: sources -> rows checked by their format's rules -> one atomic commit to the store.

Every row read ends in exactly one place: the store, or the quarantine with a reason. Files whose
bytes were ingested before are skipped by hash, so running the same ingest twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from streetlight.errors import SourceError
from streetlight.ingest.adapter import Format
from streetlight.ingest.batch import (
    Loaded,
    dedupe_batch,
    load_file,
    ordered_map,
    parse_files,
    project,
    warm_up,
)
from streetlight.ingest.checks import FILE, as_quarantine
from streetlight.ingest.csvread import read_sniffed
from streetlight.ingest.formats import Parsed
from streetlight.ingest.mapped_stream import stream_mapped
from streetlight.ingest.mapping import MappedFormat
from streetlight.ingest.policeuk import PoliceUK
from streetlight.ingest.report import FileSummary, IngestReport
from streetlight.ingest.sources import expand_sources
from streetlight.ingest.store_rules import (
    DUPLICATE_OF_STORED,
    against_store,
    centre_of,
    force_infos,
)
from streetlight.ingest.stream import DEFAULT_BATCH_BYTES, WORKERS, stream_ingest, streams
from streetlight.progress import Progress, no_progress
from streetlight.store.manifest import SourceRecord
from streetlight.store.schema import INCIDENT_SCHEMA, NET, QUARANTINE_SCHEMA, STORED_SCHEMA
from streetlight.store.store import Changeset, Store, new_ingest_id

__all__ = ["FileSummary", "IngestReport", "ingest"]


def ingest(
    sources: Sequence[str | Path],
    store: Store,
    fmt: Format | None = None,
    progress: Progress = no_progress,
    *,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    workers: int = WORKERS,
    whole: bool = False,
) -> IngestReport:
    """Read `sources` with `fmt` (data.police.uk by default) and commit them to `store`.

    The files go in batches of about `batch_bytes` bytes of text on `workers` processes, in
    memory bounded by the batch, not the input: data.police.uk files in one pass
    (`stream.py`), a force's mapped export in two, its cross-file rules resolved between them
    over a few columns of every row (`mapped_stream.py`). `whole=True` reads every file as one
    batch in this process instead: the path before streaming, kept as the reference the
    streamed one is tested and benchmarked against.
    Raises a `SourceError` naming the file when a source cannot be read at all; then nothing is
    written.
    """
    root = store.root  # a store in a bucket is read-only: refused before reading a file
    if fmt is None:
        fmt = PoliceUK()
    files, skipped = expand_sources(sources, fmt.patterns)
    if not files:
        where = ", ".join(str(s) for s in sources)
        raise SourceError(where, f"no data files found (looked for {', '.join(fmt.patterns)})")
    ingest_id = new_ingest_id()
    report = IngestReport(root, ingest_id, fmt.name, skipped=skipped)
    with store.writer() as writer:
        if streams(fmt) and not whole:
            stream_ingest(files, store, writer, fmt, report, progress, batch_bytes, workers)
            return report
        if isinstance(fmt, MappedFormat) and not whole:
            stream_mapped(files, store, writer, fmt, report, progress, batch_bytes, workers)
            return report
        known = store.manifest.source_hashes()
        loaded: list[Loaded] = []
        first_by_hash: dict[str, str] = {}
        store_crs = fmt.store_crs
        reading = ordered_map(
            lambda f: load_file(f, known), files, meanwhile=lambda: warm_up(store_crs)
        )
        for item in progress(reading, len(files)):
            if item.sniffed is None:
                report.files.append(FileSummary(item.file.name, "already in store"))
            elif item.sha256 in first_by_hash:
                report.files.append(
                    FileSummary(item.file.name, f"same bytes as {first_by_hash[item.sha256]}")
                )
            else:
                first_by_hash[item.sha256] = item.file.name
                loaded.append(item)
        # The files of one layout parse in one call: far cheaper than a call per file.
        raws = read_sniffed([item.sniffed for item in loaded if item.sniffed is not None])
        for item, raw in zip(loaded, raws, strict=True):
            item.raw = raw
        change = _changeset(ingest_id, store, fmt, loaded, report)
        if change is not None:
            writer.commit(change)
    return report


def _changeset(
    ingest_id: str, store: Store, fmt: Format, loaded: list[Loaded], report: IngestReport
) -> Changeset | None:
    if not loaded:
        return None
    raws = [item.raw for item in loaded if item.raw is not None]
    stored = None  # the format's forces' stored keys, when it asks for them
    if fmt.forces is not None and any(raw.header for raw in raws):
        stored = store.keys(fmt.forces)
    batch = parse_files(fmt, raws, stored)
    accepted, quarantine, notes, parsed = (
        batch.accepted,
        batch.quarantine,
        batch.notes,
        batch.parsed,
    )
    accepted, dupes = dedupe_batch(accepted, fmt)
    accepted, moved, remove, renet = _against_store(ingest_id, store, fmt, accepted, parsed, stored)
    dupes += moved
    quarantine = pl.concat([quarantine, *dupes], how="vertical_relaxed").with_columns(
        ingest_id=pl.lit(ingest_id)
    )
    forces = force_infos(
        store,
        accepted["force"].unique().to_list(),
        parsed.force_names,
        fmt,
        lambda slug: centre_of(accepted.filter(pl.col("force") == slug)),
    )
    accepted = project(accepted, forces)

    per_file_ok = dict(accepted.group_by(FILE).len().iter_rows())
    per_file_bad = dict(quarantine.drop_nulls(FILE).group_by(FILE).len().iter_rows())
    records = []
    for i, item in enumerate(loaded):
        assert item.raw is not None
        ok, bad = per_file_ok.get(i, 0), per_file_bad.get(i, 0)
        read = item.raw.rows_read
        records.append(
            SourceRecord(item.sha256, item.file.name, item.size, fmt.name, read, ok, bad, ingest_id)
        )
        report.files.append(
            FileSummary(item.file.name, "ingested" if item.raw.header else "empty", read, ok, bad)
        )
        report.notes += [(item.file.name, n) for n in item.raw.notes]
    report.notes += [(loaded[i].file.name, n) for i, n in notes]
    report.reasons.update(dict(quarantine.group_by("reason").len().iter_rows()))
    columns = STORED_SCHEMA.names() if NET in accepted.columns else INCIDENT_SCHEMA.names()
    return Changeset(
        ingest_id=ingest_id,
        add=accepted.select(columns),
        remove=remove,
        renet=renet,
        quarantine=quarantine.select(QUARANTINE_SCHEMA.names()),
        sources=tuple(records),
        forces=tuple(forces.values()),
    )


def _against_store(
    ingest_id: str,
    store: Store,
    fmt: Format,
    accepted: pl.DataFrame,
    parsed: Parsed,
    stored: pl.DataFrame | None,
) -> tuple[pl.DataFrame, list[pl.DataFrame], pl.DataFrame, pl.DataFrame]:
    """The batch against the incidents already stored: the accepted rows that stay, rows moved
    to the quarantine, and the stored incidents to remove and to re-count (`Changeset`)."""
    key = ["force", "incident_id"]
    forces = accepted["force"].unique().to_list()
    if stored is not None and fmt.forces is not None and set(forces) <= set(fmt.forces):
        existing = stored  # read once, before the format's rules
    else:
        existing = store.keys(forces)
    effects = against_store(
        ingest_id, store, fmt.keep, accepted.select(key), existing, parsed.withdrawn, parsed.renet
    )
    moved = list(effects.moved)
    if effects.duplicates.height:
        moved.insert(
            0,
            as_quarantine(
                accepted.join(effects.duplicates, on=key),
                "duplicate_incident_id",
                DUPLICATE_OF_STORED,
            ),
        )
        accepted = accepted.join(effects.duplicates, on=key, how="anti")
    return accepted, moved, effects.remove, effects.renet
