"""Suspect identification: for an unsolved crime, the known offenders' series ranked by evidence.

Built once from the solved crimes and who committed them (an offender file) with a fitted model;
then each query compares the unsolved crime with the solved crimes whose window midpoints are
within `max_days` of its own (the index: a binary search, no scan of the rest), scores the pairs,
and joins each offender's factors as `identify.rank_series` does (`average` by default, as
crimelinkage's series identification). A crime attributed to several offenders (co-offending)
counts in each of their series. An offender with no solved crime within the limits is not ranked:
"not among the candidates" rather than a low score.

About 1 ms per thousand solved crimes compared (numpy evidence, then the model), so a force's
20,000 solved crimes over three years (about 13,000 within a year of any date) answer in tens of
milliseconds; see `benchmarks/bench_linkage_scale.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable, Offenders
from streetlight.linkage.evidence import compare_tables
from streetlight.linkage.identify import Link, rank_series
from streetlight.linkage.index import CrimeIndex, build_index, near
from streetlight.linkage.models import LinkageModel

Ints = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Suspect:
    """One known offender's series as a suspect for a crime: `score` joins the log Bayes factors
    of the crime against each of the series' `compared` crimes (by the query's link); the pair to
    explain is the crime against `strongest_crime`, log Bayes factor `strongest_log_bf`."""

    offender: str
    score: float
    compared: int
    strongest_crime: str
    strongest_log_bf: float


@dataclass(frozen=True)
class SuspectIndex:
    """The solved crimes, indexed by time, each with its offenders; built by `build`.

    `crimes`: the solved crimes only; `offenders`: each distinct offender id, sorted;
    `first[r]`..`first[r + 1]` the positions in `offender_of` of crime r's offenders (codes into
    `offenders`)."""

    crimes: CrimeTable
    index: CrimeIndex
    offenders: npt.NDArray[np.str_]
    first: Ints
    offender_of: Ints
    model: LinkageModel
    max_days: float = 365.0
    max_metres: float | None = None

    def __len__(self) -> int:
        return len(self.crimes)

    @classmethod
    def build(
        cls,
        crimes: CrimeTable,
        offenders: Offenders,
        model: LinkageModel,
        *,
        max_days: float = 365.0,
        max_metres: float | None = None,
    ) -> SuspectIndex:
        """The index of the crimes of `crimes` that `offenders` attributes to someone; offender
        rows naming crimes not in the table are left out (they have nothing to compare)."""
        rows = crimes.index(offenders.crime)
        known = rows >= 0
        solved, row_of = np.unique(rows[known], return_inverse=True)
        names, who = np.unique(offenders.offender[known], return_inverse=True)
        order = np.lexsort((who, row_of))
        row_of, who = row_of[order], who[order]
        first = np.searchsorted(row_of, np.arange(len(solved) + 1)).astype(np.intp)
        table = crimes.take(solved)
        return cls(
            crimes=table,
            index=build_index(table),
            offenders=names,
            first=first,
            offender_of=who.astype(np.intp),
            model=model,
            max_days=max_days,
            max_metres=max_metres,
        )

    def identify(
        self, crime: CrimeTable, row: int = 0, *, link: Link = "average", top: int | None = 10
    ) -> tuple[Suspect, ...]:
        """The offenders whose series the crime at `row` of `crime` most likely belongs to, best
        first, at most `top`; MO values are matched by name with the solved crimes'."""
        if not 0 <= row < len(crime):
            raise ValueError(f"row {row} is not a row of the query table ({len(crime)} rows)")
        one = crime.take(np.array([row]))
        _, rows = near(self.index, one, max_days=self.max_days, max_metres=self.max_metres)
        if not len(rows):
            return ()
        evidence = compare_tables(one, np.zeros(len(rows), dtype=np.intp), self.crimes, rows)
        log_bf = np.asarray(self.model.log_bayes_factor(evidence), dtype=np.float64)
        # One entry per (compared crime, offender of it).
        counts = self.first[rows + 1] - self.first[rows]
        pair = np.repeat(np.arange(len(rows), dtype=np.intp), counts)
        starts = np.cumsum(counts) - counts
        at = np.arange(len(pair), dtype=np.intp) - np.repeat(starts, counts)
        who = self.offender_of[np.repeat(self.first[rows], counts) + at]
        ranking = rank_series(log_bf[pair], who, link=link, top=top)
        compared = np.bincount(who, minlength=len(self.offenders))
        return tuple(
            Suspect(
                offender=str(self.offenders[s]),
                score=float(score),
                compared=int(compared[s]),
                strongest_crime=str(self.crimes.ids[rows[pair[k]]]),
                strongest_log_bf=float(log_bf[pair[k]]),
            )
            for s, score, k in zip(ranking.series, ranking.score, ranking.strongest, strict=True)
        )
