"""The pairs a linkage model learns from, by the reference protocol (crimelinkage's
`makeSeriesData`, `makeLinked`, `makeUnlinked`, `makeGroups`; Porter 2016).

- A *series* is the crimes of the table attributed to one offender.
- *Linked* pairs: two crimes of one series whose window midpoints are at most `threshold_days`
  apart (365: offenders change, e.g. move house, over longer spans). Each pair is weighted 1/N,
  N the number of such pairs in its series, so that every series weighs 1 however long it is; a
  pair in several series (co-offenders) keeps its smallest weight.
- *Crime groups* are the connected components of the offender graph (offenders joined by a crime
  they share). The graph is built from every offender row, including crimes not in the table:
  those still say who co-offends with whom. (crimelinkage builds it from the table's crimes
  only; this way fewer pairs of crimes by associates are taken as unlinked.)
- *Unlinked* pairs: from each group, `m` crimes drawn with replacement, each paired with a crime
  of another group drawn without replacement with probability proportional to
  1 / ((groups - 1) * crimes in its group), so large groups do not dominate; pairs more than
  `threshold_days` apart are dropped, repeats kept once, weight 1.

Pairs are rows of the crime table with i < j; the same seed gives the same pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from streetlight.linkage.crimes import CrimeTable, Offenders

Ints = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Pairs:
    """Pairs (i[k], j[k]) of crime-table rows, i < j, with their weights and labels."""

    i: Ints
    j: Ints
    weight: npt.NDArray[np.float64]
    linked: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.i)


@dataclass(frozen=True)
class Series:
    """The offender graph as it bears on the crime table.

    `offender[k]`, `crime[k]`: the (offender, crime-table row) attributions of the table's crimes;
    `group[r]`: the crime group (connected component) of table row r, -1 for unsolved crimes
    (no offender row), numbered 0.. in order of their first row.
    """

    offender: npt.NDArray[np.str_]
    crime: Ints
    group: Ints

    @property
    def groups(self) -> int:
        return int(self.group.max()) + 1 if len(self.group) and self.group.max() >= 0 else 0


def series(crimes: CrimeTable, offenders: Offenders) -> Series:
    """The series and crime groups of `crimes` from every row of `offenders`."""
    people, person = np.unique(offenders.offender, return_inverse=True)
    events, event = np.unique(offenders.crime, return_inverse=True)
    # Bipartite graph, offenders then crimes as nodes: its components are the offender graph's.
    n = len(people) + len(events)
    graph = coo_array((np.ones(len(person)), (person, len(people) + event)), shape=(n, n)).tocsr()
    _, component = connected_components(graph, directed=False)
    rows = crimes.index(offenders.crime)
    in_table = rows >= 0
    group = np.full(len(crimes), -1, dtype=np.intp)
    group[rows[in_table]] = component[person[in_table]]
    # Renumber the groups that have table crimes 0.. by their first row, for stable output.
    solved = np.flatnonzero(group >= 0)
    _, first = np.unique(group[solved], return_index=True)
    renumber = {int(group[solved][f]): k for k, f in enumerate(np.sort(first))}
    group[solved] = [renumber[int(g)] for g in group[solved]]
    return Series(
        offender=offenders.offender[in_table], crime=rows[in_table].astype(np.intp), group=group
    )


def midpoint_days(crimes: CrimeTable) -> npt.NDArray[np.float64]:
    """Each crime's window midpoint, days since 1970-01-01 (the time the protocol thresholds)."""
    start = crimes.t_from.astype("datetime64[m]").astype(np.int64)
    end = crimes.t_to.astype("datetime64[m]").astype(np.int64)
    return (start + end) / 2 / 1440.0


def linked_pairs(crimes: CrimeTable, s: Series, *, threshold_days: float = 365.0) -> Pairs:
    """Every pair of crimes of one series at most `threshold_days` apart, weighted 1/N."""
    mid = midpoint_days(crimes)
    found: dict[tuple[int, int], float] = {}
    order = np.argsort(s.offender, kind="stable")
    _, starts = np.unique(s.offender[order], return_index=True)
    # One array of table rows per offender (nothing when no crime of the table is solved).
    for crimes_of_one in np.split(s.crime[order], starts[1:]) if len(order) else []:
        rows = np.unique(crimes_of_one)
        a, b = np.triu_indices(len(rows), k=1)
        near = np.abs(mid[rows[a]] - mid[rows[b]]) <= threshold_days
        if not near.any():
            continue
        weight = 1.0 / int(near.sum())
        for p, q in zip(rows[a[near]], rows[b[near]], strict=True):
            key = (int(p), int(q))
            found[key] = min(found.get(key, weight), weight)
    keys = sorted(found)
    return Pairs(
        i=np.array([k[0] for k in keys], dtype=np.intp),
        j=np.array([k[1] for k in keys], dtype=np.intp),
        weight=np.array([found[k] for k in keys], dtype=np.float64),
        linked=np.ones(len(keys), dtype=bool),
    )


def unlinked_pairs(
    crimes: CrimeTable, s: Series, *, seed: int, m: int = 40, threshold_days: float = 365.0
) -> Pairs:
    """A sample of pairs of crimes from different crime groups (see the module's description)."""
    rng = np.random.default_rng(seed)
    mid = midpoint_days(crimes)
    solved = np.flatnonzero(s.group >= 0)
    group = s.group[solved]
    n_groups = s.groups
    if n_groups < 2:
        return Pairs(
            np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0), np.zeros(0, dtype=bool)
        )
    size = np.bincount(group, minlength=n_groups)
    weight = 1.0 / ((n_groups - 1) * size[group])
    first: list[Ints] = []
    second: list[Ints] = []
    for g in range(n_groups):
        mine = group == g
        others = np.flatnonzero(~mine)
        p = weight[others] / weight[others].sum()
        first.append(rng.choice(solved[mine], size=m, replace=True))
        # Fewer than m crimes elsewhere (tiny data): pair each of them once.
        second.append(solved[rng.choice(others, size=min(m, len(others)), replace=False, p=p)])
        first[-1] = first[-1][: len(second[-1])]
    i, j = np.concatenate(first), np.concatenate(second)
    keep = np.abs(mid[i] - mid[j]) <= threshold_days
    lo, hi = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    unique = np.unique(np.stack([lo, hi], axis=1), axis=0)
    return Pairs(
        i=unique[:, 0].astype(np.intp),
        j=unique[:, 1].astype(np.intp),
        weight=np.ones(len(unique)),
        linked=np.zeros(len(unique), dtype=bool),
    )


def make_pairs(
    crimes: CrimeTable,
    offenders: Offenders,
    *,
    seed: int,
    m: int = 40,
    threshold_days: float = 365.0,
) -> Pairs:
    """The linked pairs, then the unlinked sample, as one set (crimelinkage's `makePairs`)."""
    s = series(crimes, offenders)
    linked = linked_pairs(crimes, s, threshold_days=threshold_days)
    unlinked = unlinked_pairs(crimes, s, seed=seed, m=m, threshold_days=threshold_days)
    return Pairs(
        i=np.concatenate([linked.i, unlinked.i]),
        j=np.concatenate([linked.j, unlinked.j]),
        weight=np.concatenate([linked.weight, unlinked.weight]),
        linked=np.concatenate([linked.linked, unlinked.linked]),
    )
