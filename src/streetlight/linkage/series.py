"""Series among crimes: agglomerative (hierarchical) clustering on pairwise log Bayes factors,
cut at a threshold, for an analyst looking for series among unsolved offences (crimelinkage's
`crimeClust_hier`; Porter 2016).

Clusters join by their most alike pair (`single`), the mean of their pairs' factors (`average`)
or their least alike pair (`complete`); a group of crimes is a series when it joins at a log
Bayes factor of at least `threshold`. Every crime starts alone; a crime that joins nothing stays
alone (label -1).

Input is sparse: the pairs the index judged worth comparing (`scoring.score_all`). A pair not
scored (too far apart in time or place) counts as `floor`, by default the least alike pair scored:
evidence at its floor. It must be below the threshold.

Exact at any size, without an n x n matrix: no join at or above the threshold can cross a
connected component of the graph of pairs scored at or above it (a cross-component join has
every pair below the threshold, so its maximum, mean and minimum are below it too), and these
three links never join lower before higher (no inversions). So the crimes are split into those
components and each is clustered on its own, with `scipy.cluster.hierarchy.linkage` on a
condensed matrix of (cap - log_bf), cap the largest factor: all three links are unchanged by
that affine map. For single linkage the components are the answer. A component larger than
`max_component` crimes (below some threshold the strong pairs percolate and one component holds
most crimes) is clustered by a sparse agglomeration instead of a matrix: each join is the pair of
clusters with the highest link; after a join, the new cluster's links to its neighbours are
recomputed from its crimes' scored pairs (sum, count, maximum, minimum per neighbouring cluster;
a pair not scored at `floor`), and only links at or above the threshold are kept in a heap.
Same partition as the matrix, in memory proportional to the scored pairs.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from streetlight.linkage.identify import LINKS, Link

Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]

# Up to 5,000 crimes in one component, a condensed matrix (12.5 million float64, 100 MB, twice
# that while scipy clusters it); above, the sparse agglomeration.
MAX_COMPONENT = 5_000


@dataclass(frozen=True)
class FoundSeries:
    """One series: its crimes (`rows`, ascending), and its most and least alike pairs of crimes
    with their log Bayes factors (the weakest may be a pair never scored: then at `floor`)."""

    rows: Ints
    strongest: tuple[int, int]
    strongest_log_bf: float
    weakest: tuple[int, int]
    weakest_log_bf: float

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class SeriesClustering:
    """`label[r]` is the series of crime r (an index into `series`), -1 for a crime in none;
    `series` largest first (then by first row). `link`, `threshold` and `floor` as used."""

    label: Ints
    series: tuple[FoundSeries, ...]
    link: Link
    threshold: float
    floor: float


def cluster_series(
    n: int,
    i: npt.ArrayLike,
    j: npt.ArrayLike,
    log_bf: npt.ArrayLike,
    *,
    link: Link = "average",
    threshold: float,
    floor: float | None = None,
    max_component: int = MAX_COMPONENT,
) -> SeriesClustering:
    """Series among crimes 0..n-1 from scored pairs (i[k], j[k], log_bf[k]), each pair at most
    once; every pair not given counts as `floor` (default: the lowest factor given, or one below
    the threshold if that is lower)."""
    if link not in LINKS:
        raise ValueError(f"link must be one of {', '.join(LINKS)}, not {link!r}")
    a = np.asarray(i, dtype=np.intp)
    b = np.asarray(j, dtype=np.intp)
    bf = np.asarray(log_bf, dtype=np.float64)
    if not (a.shape == b.shape == bf.shape):
        raise ValueError("i, j and log_bf must have one entry per scored pair")
    if len(a) and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= n or (a == b).any()):
        raise ValueError(f"pairs must be of two different crimes among 0..{n - 1}")
    if max_component < 2:
        raise ValueError(f"max_component must be at least 2, not {max_component}")
    if not np.isfinite(bf).all():
        raise ValueError("log_bf must be finite")
    low = float(bf.min()) if len(bf) else threshold - 1.0
    if floor is None:
        # Every factor given at or above the threshold (a sample of strong pairs): one log unit
        # below it, so pairs not scored still never join on their own.
        floor = low if low < threshold else float(threshold) - 1.0
    floor = float(floor)
    if floor > low:
        raise ValueError(f"floor ({floor}) must be at most the lowest factor given ({low})")
    if floor >= threshold:
        raise ValueError(
            f"floor ({floor}) must be below the threshold ({threshold}): otherwise every pair "
            "not scored would join"
        )
    strong = bf >= threshold
    graph = coo_array((np.ones(int(strong.sum())), (a[strong], b[strong])), shape=(n, n))
    _, component = connected_components(graph.tocsr(), directed=False)
    groups = [rows for rows in _members(component) if len(rows) > 1]
    if link != "single":
        # Each component's scored pairs (both crimes in it), to cluster it on its own.
        same = np.flatnonzero(component[a] == component[b])
        by = same[np.argsort(component[a[same]], kind="stable")]
        firsts = [component[rows[0]] for rows in groups]
        bounds = np.searchsorted(component[a[by]], firsts)
        ends = np.searchsorted(component[a[by]], firsts, "right")
        groups = [
            part
            for rows, lo, hi in zip(groups, bounds, ends, strict=True)
            for part in (_cluster if len(rows) <= max_component else _agglomerate)(
                rows, a[by[lo:hi]], b[by[lo:hi]], bf[by[lo:hi]], link, threshold, floor
            )
            if len(part) > 1
        ]
    groups.sort(key=lambda g: (-len(g), int(g[0])))
    label = np.full(n, -1, dtype=np.intp)
    for k, rows in enumerate(groups):
        label[rows] = k
    found = _describe(groups, label, a, b, bf, floor)
    return SeriesClustering(label, found, link, float(threshold), floor)


def _members(label: Ints) -> list[Ints]:
    """The rows of each label 0..max, ascending (one sort, not a scan per label)."""
    order = np.argsort(label, kind="stable").astype(np.intp)
    cuts = np.flatnonzero(np.diff(label[order])) + 1
    return np.split(order, cuts) if len(order) else []


def _cluster(
    rows: Ints, a: Ints, b: Ints, bf: Floats, link: Link, threshold: float, floor: float
) -> list[Ints]:
    """Average or complete linkage of one component (pairs a, b within it), cut at the
    threshold; pairs not given are at the floor."""
    m = len(rows)
    if m == 2:  # joined by its one pair, which is at or above the threshold: no tree needed
        return [rows]
    pa, pb = np.searchsorted(rows, a), np.searchsorted(rows, b)
    p, q = np.minimum(pa, pb), np.maximum(pa, pb)
    # Straight into scipy's condensed form: pair (p, q), p < q, at m p - p (p + 1) / 2 + q - p - 1.
    similarity = np.full(m * (m - 1) // 2, floor)
    similarity[m * p - p * (p + 1) // 2 + q - p - 1] = bf
    cap = float(similarity.max())
    distance = cap - similarity
    tree = linkage(distance, method=link)
    # Joined at a factor >= threshold <=> merge distance <= cap - threshold (plus rounding).
    flat = fcluster(tree, t=cap - threshold + 1e-9 * max(1.0, abs(cap)), criterion="distance")
    return [rows[flat == f] for f in np.unique(flat)]


def _agglomerate(
    rows: Ints, a: Ints, b: Ints, bf: Floats, link: Link, threshold: float, floor: float
) -> list[Ints]:
    """Average or complete linkage of one large component without a matrix, cut at the threshold
    (see the module's description)."""
    m = len(rows)
    pa, pb = np.searchsorted(rows, a), np.searchsorted(rows, b)
    # Both directions of every scored pair, grouped by first crime (CSR).
    start = np.r_[pa, pb]
    order = np.argsort(start, kind="stable")
    other = np.r_[pb, pa][order]
    value = np.r_[bf, bf][order]
    offset = np.searchsorted(start[order], np.arange(m + 1))
    label = np.arange(m, dtype=np.intp)
    members: dict[int, Ints] = {k: np.array([k], dtype=np.intp) for k in range(m)}
    version = np.zeros(m, dtype=np.int64)
    strong = bf >= threshold
    heap = [
        (-float(v), int(p), int(q), 0, 0)
        for v, p, q in zip(bf[strong], pa[strong], pb[strong], strict=True)
    ]
    heapq.heapify(heap)
    while heap:
        _, c, d, vc, vd = heapq.heappop(heap)
        if c not in members or d not in members or version[c] != vc or version[d] != vd:
            continue  # a link to a cluster since joined
        joined = np.r_[members.pop(c), members.pop(d)]
        e = c  # the joined cluster keeps c's number, with a new version
        members[e] = joined
        label[joined] = e
        version[e] += 1
        # Every scored pair from the joined crimes to crimes outside, by the other's cluster.
        lo, hi = offset[joined], offset[joined + 1]
        counts = hi - lo
        at = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        theirs = label[other[at]]
        outside = theirs != e
        theirs, v = theirs[outside], value[at][outside]
        if not len(theirs):
            continue
        near, inverse = np.unique(theirs, return_inverse=True)
        pairs = np.array([len(joined) * len(members[int(k)]) for k in near], dtype=np.float64)
        scored = np.bincount(inverse, minlength=len(near)).astype(np.float64)
        if link == "average":
            linked = (
                np.bincount(inverse, weights=v, minlength=len(near)) + floor * (pairs - scored)
            ) / pairs
        else:
            lowest = np.full(len(near), np.inf)
            np.minimum.at(lowest, inverse, v)
            linked = np.where(scored < pairs, floor, lowest)
        for k, value_k in zip(near[linked >= threshold], linked[linked >= threshold], strict=True):
            k = int(k)
            heapq.heappush(heap, (-float(value_k), e, k, int(version[e]), int(version[k])))
    return [rows[np.sort(group)] for group in members.values()]


def _describe(
    groups: list[Ints], label: Ints, a: Ints, b: Ints, bf: Floats, floor: float
) -> tuple[FoundSeries, ...]:
    """Each series' strongest and weakest pairs (one sort of the pairs inside series)."""
    inside = np.flatnonzero((label[a] >= 0) & (label[a] == label[b]))
    series = label[a[inside]]
    grouped = inside[np.argsort(series, kind="stable")]
    bounds = np.searchsorted(np.sort(series), np.arange(len(groups) + 1))
    firsts = bounds[:-1]
    strongest = inside[np.lexsort((-bf[inside], series))][firsts]
    weakest = inside[np.lexsort((bf[inside], series))][firsts]
    scored = np.bincount(series, minlength=len(groups))
    found = []
    for k, rows in enumerate(groups):
        top, low = int(strongest[k]), int(weakest[k])
        weak, weak_bf = (int(a[low]), int(b[low])), float(bf[low])
        if scored[k] < len(rows) * (len(rows) - 1) // 2:
            mine = grouped[bounds[k] : bounds[k + 1]]
            weak, weak_bf = _unscored_pair(rows, a[mine], b[mine]), floor
        found.append(
            FoundSeries(
                rows=rows,
                strongest=(int(a[top]), int(b[top])),
                strongest_log_bf=float(bf[top]),
                weakest=weak,
                weakest_log_bf=weak_bf,
            )
        )
    return tuple(found)


def _unscored_pair(rows: Ints, a: Ints, b: Ints) -> tuple[int, int]:
    """The first pair of `rows` (in row order) with no factor given."""
    scored = set(zip(a.tolist(), b.tolist(), strict=True))
    for x, p in enumerate(rows.tolist()):
        for q in rows[x + 1 :].tolist():
            if (p, q) not in scored and (q, p) not in scored:
                return (p, q)
    raise ValueError("every pair of the series was scored")  # unreachable: checked by count
