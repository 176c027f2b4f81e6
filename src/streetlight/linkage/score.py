"""Scores for pairs named by crime id, for any outside check: fit the default model on the pairs
derivable from an offenders file (the reference protocol's linked and unlinked pairs, all of
them: no split), then score the pairs asked for.

Pairs come from a CSV with columns `crime_a,crime_b` (header required, ids as in the crime
table); a row naming a crime not in the table, or naming one crime twice, is an error that says
the file, row and field, since a skipped row would silently shift a checker's alignment.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable, LinkageFileError, Offenders
from streetlight.linkage.ensemble import context_ensemble
from streetlight.linkage.evidence import compare
from streetlight.linkage.models import LinkageModel
from streetlight.linkage.pairs import make_pairs
from streetlight.linkage.transitive import MAX_CRIMES, context_transitive

COLUMNS = ("crime_a", "crime_b")


class PairsFileError(LinkageFileError):
    """A pairs file that cannot be scored: missing, no crime_a/crime_b header, an unknown id."""


@dataclass(frozen=True)
class PairRows:
    """Table rows of each requested pair, in file order, with the ids as written."""

    a: npt.NDArray[np.intp]
    b: npt.NDArray[np.intp]
    ids_a: tuple[str, ...]
    ids_b: tuple[str, ...]


def read_pairs(path: Path, crimes: CrimeTable) -> PairRows:
    """The pairs in the CSV at `path`, resolved against `crimes`."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError as exc:
        raise PairsFileError(f"{path}: not found") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise PairsFileError(f"{path}: not readable CSV text ({exc})") from exc
    if not rows:
        raise PairsFileError(f"{path}: empty (no header line)")
    header = [h.strip().lower() for h in rows[0]]
    if missing := [c for c in COLUMNS if c not in header]:
        raise PairsFileError(
            f"{path}: the header lacks {', '.join(missing)} (needs crime_a,crime_b)"
        )
    at = [header.index(c) for c in COLUMNS]
    ids_a: list[str] = []
    ids_b: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in row):
            continue
        if len(row) <= max(at):
            raise PairsFileError(f"{path}: row {number}: {len(row)} fields, needs crime_a,crime_b")
        a, b = row[at[0]].strip(), row[at[1]].strip()
        if a == b:
            raise PairsFileError(
                f"{path}: row {number}, crime_b: the same crime as crime_a ({a!r})"
            )
        ids_a.append(a)
        ids_b.append(b)
    rows_a, rows_b = crimes.index(ids_a), crimes.index(ids_b)
    for column, found, ids in (("crime_a", rows_a, ids_a), ("crime_b", rows_b, ids_b)):
        if (found < 0).any():
            k = int(np.flatnonzero(found < 0)[0])
            unknown = int((found < 0).sum())
            raise PairsFileError(
                f"{path}: row {_row_number(rows, k)}, {column}: {ids[k]!r} is not in the crime"
                f" table (or was quarantined there){f'; {unknown} such ids in all' if unknown > 1 else ''}"
            )
    return PairRows(rows_a, rows_b, tuple(ids_a), tuple(ids_b))


def _row_number(rows: list[list[str]], k: int) -> int:
    """The file row (header = 1) of the k-th non-blank data row."""
    seen = -1
    for number, row in enumerate(rows[1:], start=2):
        if any(v.strip() for v in row):
            seen += 1
            if seen == k:
                return number
    return len(rows)


def fit_default(crimes: CrimeTable, offenders: Offenders, *, seed: int = 0) -> LinkageModel:
    """The default model fitted on every reference-protocol pair of `offenders` (the unlinked
    sample drawn with `seed`): the context ensemble with evidence through third crimes, or
    without them for a table of more than `transitive.MAX_CRIMES` crimes."""
    pairs = make_pairs(crimes, offenders, seed=seed)
    if not pairs.linked.any() or pairs.linked.all():
        raise PairsFileError(
            "the offenders file gives no linked pairs (or no unlinked ones) among the table's"
            " crimes: nothing to learn from"
        )
    model = context_transitive(crimes) if len(crimes) <= MAX_CRIMES else context_ensemble(crimes)
    return model.fit(compare(crimes, pairs.i, pairs.j), pairs.linked, pairs.weight)


def score_pairs(
    model: LinkageModel, crimes: CrimeTable, pairs: PairRows
) -> npt.NDArray[np.float64]:
    """The log Bayes factor of each requested pair (higher = more likely linked)."""
    return model.log_bayes_factor(compare(crimes, pairs.a, pairs.b))


def write_scores(path: Path, pairs: PairRows, score: npt.NDArray[np.float64]) -> Path:
    """`crime_a,crime_b,score` per pair, file order, scores to 6 decimals."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow([*COLUMNS, "score"])
        for a, b, s in zip(pairs.ids_a, pairs.ids_b, score, strict=True):
            out.writerow([a, b, f"{s:.6f}"])
    return path
