"""Crime linkage at a force's scale on a synthetic force (not real crimes): 20,000 offences over
three years on a 40 x 40 km area, some by offenders with series (near their home, in bursts,
with habits of time of day and modus operandi), the rest one-off. The issue's targets: scoring
all pairs within 365 days in under 30 s on this machine (2 cores), a suspect-identification
query under 200 ms.

    uv run python benchmarks/bench_linkage_scale.py [--seed 20261207] [--crimes 20000]
        [--max-km 5] [--workers 1] [--queries 200] [--sample 2000000] [--compare-numpy PAIRS]
        [--full] [--numpy]

Prints one table: the index's build time, the pairs within 365 days (all, and within `--max-km`),
the time to find and to score them, the total and the peak memory (the process's maximum resident
set; tracemalloc's peak of numpy allocations beside it); then the query latency (median and p99
over `--queries` held-out crimes) and how often the true offender's series comes first. With
`--max-km 0` there is no spatial limit: every pair within 365 days is scored (expect minutes).
To judge a limit, `--sample` random pairs within 365 days but beyond it are scored as well, and
the share of them with positive evidence printed. `--compare-numpy N` first scores N random pairs
within 365 days both by the numpy path and by the compiled kernel (`linkage.kernel`), which
`score_all` uses for this linear model: their ratio holds whatever else the machine is doing,
where the totals do not. `--workers` is the kernel's threads. The model is `LogisticLinkage` fitted on the
reference protocol's pairs (`make_pairs`) of the solved crimes. Nothing here is a test; figures
go in docs/linkage-scale.md.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from streetlight.linkage.crimes import CrimeTable, Offenders
from streetlight.linkage.evidence import compare
from streetlight.linkage.index import (
    CrimeIndex,
    build_index,
    count_pairs,
    iter_candidate_pairs,
    iter_runs,
)
from streetlight.linkage.models import LogisticLinkage
from streetlight.linkage.pairs import make_pairs
from streetlight.linkage.scoring import score_all, score_pairs
from streetlight.linkage.series import cluster_series
from streetlight.linkage.suspects import SuspectIndex

MO_LEVELS = {"entry": 5, "tool": 6, "search": 4}


@dataclass(frozen=True)
class Force:
    """The crimes, who committed each (`offender[k]`, one-off offenders too) and whether the
    police know it (`solved[k]`)."""

    crimes: CrimeTable
    offender: npt.NDArray[np.int64]
    solved: npt.NDArray[np.bool_]

    def offenders(self, rows: npt.NDArray[np.intp], *, everyone: bool = False) -> Offenders:
        """The offender file of the solved crimes among `rows` (of all, with `everyone`)."""
        known = rows if everyone else rows[self.solved[rows]]
        return Offenders(
            offender=np.array([f"o{k}" for k in self.offender[known]]),
            crime=self.crimes.ids[known],
        )


def synthetic_force(n: int, seed: int, *, days: int = 3 * 365, side: float = 40_000.0) -> Force:
    """`n` offences: 45% by about n/14 series offenders (geometric series lengths, mean 6),
    the rest one-off. A series offender lives somewhere (more often near one of five town
    centres), offends within about 1 km of home, in a burst (gaps of about 12 days) starting
    any time, at a habitual hour (+-2 h), with a habitual value of each MO variable 70% of the
    time. Half the times are exact, the rest windows of about half a day (up to 14 days), as
    burglaries discovered later. 60% of series crimes and 30% of one-offs are solved; 10% of MO
    values unknown."""
    rng = np.random.default_rng(seed)
    towns = rng.uniform(0.2 * side, 0.8 * side, size=(5, 2))

    def homes(k: int) -> npt.NDArray[np.float64]:
        town = rng.integers(0, len(towns), k)
        near_town = towns[town] + rng.normal(0, 3000, size=(k, 2))
        anywhere = rng.uniform(0, side, size=(k, 2))
        return np.where(rng.random((k, 1)) < 0.7, near_town, anywhere).clip(0, side)

    in_series = int(0.45 * n)
    lengths: list[int] = []
    while sum(lengths) < in_series:
        lengths.append(int(rng.geometric(1 / 6)) + 1)
    lengths[-1] -= sum(lengths) - in_series
    lengths = [k for k in lengths if k > 0]
    people = len(lengths)
    who = np.concatenate([np.repeat(np.arange(people), lengths), people + np.arange(n - in_series)])
    first = np.r_[0, np.cumsum(lengths)[:-1]]
    solo = who >= people
    # Per offender: home, start day, hour, MO habits (one-offs too: one crime each).
    everyone = people + (n - in_series)
    home = homes(everyone)[who]
    xy = home + np.where(solo[:, None], 0.0, rng.normal(0, 1000, size=(n, 2)))
    start = rng.uniform(0, days, everyone)
    gaps = rng.exponential(12.0, n)
    step = np.zeros(n)
    series_rows = np.flatnonzero(~solo)
    step[series_rows] = gaps[series_rows]
    offset = np.cumsum(step)
    offset[series_rows] -= np.repeat(offset[first], lengths)
    day = (start[who] + offset) % days
    hour = (rng.uniform(0, 24, everyone)[who] + rng.normal(0, 2, n)) % 24
    t_from = np.datetime64("2023-01-01T00:00") + (
        (np.floor(day) * 1440 + hour * 60).astype(np.int64)
    ).astype("timedelta64[m]")
    width = np.where(rng.random(n) < 0.5, 0.0, np.minimum(rng.exponential(0.5, n), 14.0))
    categorical = {}
    for name, k in MO_LEVELS.items():
        habit = rng.integers(0, k, everyone)[who]
        codes = np.where(rng.random(n) < 0.7, habit, rng.integers(0, k, n))
        categorical[name] = np.where(rng.random(n) < 0.1, -1, codes).astype(np.int32)
    crimes = CrimeTable(
        ids=np.array([f"x{k}" for k in range(n)]),
        x=xy[:, 0],
        y=xy[:, 1],
        t_from=t_from,
        t_to=t_from + (width * 1440).astype("timedelta64[m]"),
        categorical=categorical,
        levels={name: tuple(f"{name}{v}" for v in range(k)) for name, k in MO_LEVELS.items()},
    )
    solved = rng.random(n) < np.where(solo, 0.3, 0.6)
    return Force(crimes, who.astype(np.int64), solved)


def _sample_within(
    index: CrimeIndex, within: int, size: int, seed: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """A uniform sample (with replacement) of the pairs within 365 days, as table rows i < j:
    pair number d of the index's runs is (p, p + 1 + offset in p's run)."""
    ends = np.searchsorted(index.key, index.key + 365 * 2880, side="right")
    runs = ends - np.arange(1, len(index) + 1)
    cum = np.cumsum(runs)
    draw = np.random.default_rng(seed).integers(0, within, size)
    p = np.searchsorted(cum, draw, side="right")
    q = p + 1 + draw - (cum[p] - runs[p])
    i, j = index.order[p], index.order[q]
    return np.minimum(i, j), np.maximum(i, j)


def _sample_far(
    crimes: CrimeTable, index: CrimeIndex, within: int, size: int, max_metres: float, seed: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """`_sample_within`, kept if beyond the spatial limit."""
    i, j = _sample_within(index, within, size, seed)
    far = np.hypot(crimes.x[i] - crimes.x[j], crimes.y[i] - crimes.y[j]) > max_metres
    return i[far], j[far]


def _compare_paths(
    crimes: CrimeTable, model: LogisticLinkage, size: int, workers: int, seed: int
) -> list[tuple[str, str]]:
    """The same random pairs scored by the numpy path (one process) and by the compiled kernel
    (after a warm-up call, so compilation or loading the cache is not counted)."""
    index = build_index(crimes)
    i, j = _sample_within(index, count_pairs(index), size, seed)
    list(score_pairs(crimes, model, [(i[:1000], j[:1000])]))  # compile or load the kernel
    # Wall and CPU seconds: on a loaded machine the CPU time of one thread is the fairer ratio.
    t, cpu = time.perf_counter(), time.process_time()
    ((_, _, slow),) = score_pairs(crimes, model, [(i, j)], numpy=True)
    t_slow, cpu_slow = time.perf_counter() - t, time.process_time() - cpu
    rows = [
        (
            f"same {size:,} random pairs: numpy path",
            f"{size / t_slow / 1e6:.2f} M pairs/s ({size / cpu_slow / 1e6:.2f} per CPU s)",
        )
    ]
    for threads in sorted({1, workers}):
        t, cpu = time.perf_counter(), time.process_time()
        ((_, _, fast),) = score_pairs(crimes, model, [(i, j)], workers=threads)
        t_fast, cpu_fast = time.perf_counter() - t, time.process_time() - cpu
        rows.append(
            (
                f"  compiled kernel, {threads} thread(s)",
                f"{size / t_fast / 1e6:.2f} M pairs/s ({size / cpu_fast / 1e6:.2f} per CPU s): "
                f"{t_slow / t_fast:.1f} x the numpy path ({cpu_slow / cpu_fast:.1f} x in CPU "
                f"time; max |difference| {np.abs(fast - slow).max():.1e})",
            )
        )
    return rows


def _score_every_pair(crimes: CrimeTable, model: LogisticLinkage, workers: int) -> tuple[str, str]:
    """Every pair within 365 days through the kernel in full, each chunk's factors dropped."""
    from streetlight.linkage.kernel import KernelTable, linear_runs, set_threads

    form = model.linear_form()
    index = build_index(crimes)
    table = KernelTable.of(crimes)
    weights = table.weights(form)
    if weights is None:
        raise SystemExit("the model's features are not the table's")
    ordered = table.take(index.order)
    linear_runs(ordered, weights, form.intercept, index.order, 0, np.array([2]))  # compile
    before = set_threads(workers)
    t, cpu, pairs = time.perf_counter(), time.process_time(), 0
    for a, ends in iter_runs(index):
        _, bf = linear_runs(ordered, weights, form.intercept, index.order, a, ends)
        pairs += len(bf)
    t, cpu = time.perf_counter() - t, time.process_time() - cpu
    set_threads(before)
    return (
        f"every pair in full, compiled, {workers} thread(s)",
        f"{pairs:,} pairs in {t:.2f} s (CPU {cpu:.1f} s; {pairs / t / 1e6:.1f} M pairs/s)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--crimes", type=int, default=20_000)
    parser.add_argument("--max-km", type=float, default=5.0, help="0: no spatial limit")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep-above", type=float, default=None, help="keep only pairs above")
    parser.add_argument("--threshold", type=float, default=8.0, help="series cut (log BF)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sample", type=int, default=2_000_000)
    parser.add_argument(
        "--compare-numpy",
        type=int,
        default=0,
        metavar="PAIRS",
        help="score this many random pairs within 365 days by the numpy path and the compiled "
        "kernel (1 and --workers threads), one after the other: the ratio, whatever the load",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="also score every pair within 365 days in full (no bound from --keep-above) with "
        "the compiled kernel on --workers threads, keeping none: the time of the evidence and "
        "the model alone, in bounded memory",
    )
    parser.add_argument(
        "--numpy",
        action="store_true",
        help="score by the numpy path (as before the compiled kernel; --workers processes)",
    )
    args = parser.parse_args()
    max_metres = args.max_km * 1000 if args.max_km > 0 else None
    limit = f"{args.max_km:g} km" if max_metres else "no spatial limit"

    t = time.perf_counter()
    # The queries are held-out series crimes, not in the table.
    whole = synthetic_force(args.crimes + args.queries, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    in_series = np.bincount(whole.offender)[whole.offender] > 1
    held = np.sort(rng.choice(np.flatnonzero(in_series), args.queries, replace=False))
    rows = np.setdiff1d(np.arange(len(whole.crimes)), held)
    crimes = whole.crimes.take(rows)
    force = Force(crimes, whole.offender[rows], whole.solved[rows])
    print(
        f"synthetic force, seed {args.seed}: {len(crimes):,} offences "
        f"({int(force.solved.sum()):,} solved, {len(np.unique(force.offender)):,} offenders), "
        f"generated in {time.perf_counter() - t:.1f} s"
    )
    solved = force.offenders(np.arange(len(crimes)))
    t = time.perf_counter()
    pairs = make_pairs(crimes, solved, seed=args.seed)
    model = LogisticLinkage().fit(compare(crimes, pairs.i, pairs.j), pairs.linked, pairs.weight)
    linked_bf = model.log_bayes_factor(compare(crimes, pairs.i, pairs.j).take(pairs.linked))
    print(
        f"LogisticLinkage fitted on {len(pairs):,} protocol pairs of the solved crimes "
        f"({int(pairs.linked.sum()):,} linked; their log BF: median "
        f"{np.median(linked_bf):.1f}, 10th percentile {np.percentile(linked_bf, 10):.1f}) "
        f"in {time.perf_counter() - t:.1f} s"
    )

    table: list[tuple[str, str]] = []
    # The kernel's first call compiles it (or loads it from numba's cache): once per process,
    # timed on its own rather than inside the scoring.
    t = time.perf_counter()
    score_all(crimes.take(np.arange(50)), model, max_metres=max_metres, numpy=args.numpy)
    table.append(("first call: compile or load the kernel", f"{time.perf_counter() - t:.2f} s"))
    if args.compare_numpy:
        table += _compare_paths(crimes, model, args.compare_numpy, args.workers, args.seed + 3)
    if args.full:
        table.append(_score_every_pair(crimes, model, args.workers))
    tracemalloc.start()
    t0 = time.perf_counter()
    index = build_index(crimes)
    t_index = time.perf_counter() - t0
    table.append(("build the index", f"{t_index * 1000:.1f} ms"))
    within = count_pairs(index, max_days=365)
    table.append(("pairs within 365 days", f"{within:,}"))
    t = time.perf_counter()
    found = sum(len(i) for i, _ in iter_candidate_pairs(index, max_metres=max_metres))
    t_find = time.perf_counter() - t
    table.append((f"  of which within {limit}", f"{found:,}"))
    table.append(("find them", f"{t_find:.2f} s"))
    t, cpu = time.perf_counter(), time.process_time()
    scored = score_all(
        crimes,
        model,
        max_metres=max_metres,
        workers=args.workers,
        keep_above=args.keep_above,
        numpy=args.numpy,
    )
    t_score, cpu = time.perf_counter() - t, time.process_time() - cpu
    kept = "" if args.keep_above is None else f", kept {len(scored):,} above {args.keep_above:g}"
    # CPU time (this process's threads; not a process pool's) says what the load hides.
    table.append(
        (
            f"find and score them, {args.workers} worker(s)" + (", numpy" if args.numpy else ""),
            f"{t_score:.2f} s (CPU {cpu:.1f} s){kept}",
        )
    )
    table.append(("total: index + find + score", f"{t_index + t_score:.2f} s (target < 30 s)"))
    t = time.perf_counter()
    clusters = cluster_series(
        len(crimes), scored.i, scored.j, scored.log_bf, link="average", threshold=args.threshold
    )
    sizes = [len(s) for s in clusters.series]
    table.append(
        (
            f"series, average link, log BF >= {args.threshold:g}",
            f"{time.perf_counter() - t:.2f} s: {len(sizes):,} series, {sum(sizes):,} crimes, "
            f"largest {max(sizes, default=0)}",
        )
    )
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.append(("peak memory: resident / numpy", f"{rss:.0f} MB / {traced / 2**20:.0f} MB"))

    if max_metres is not None and args.sample:
        i, j = _sample_far(crimes, index, within, args.sample, max_metres, args.seed + 2)
        far = model.log_bayes_factor(compare(crimes, i, j))
        beyond = within - found
        table.append(
            (
                f"beyond {limit}: pairs sampled",
                f"{len(i):,} (max log BF {far.max():.1f})",
            )
        )
        for cut in (0.0, 2.0, 4.0, 6.0):
            near_count = int((scored.log_bf > cut).sum())
            estimate = float((far > cut).mean()) * beyond
            lost = estimate / max(estimate + near_count, 1.0)
            table.append(
                (
                    f"  pairs with log BF > {cut:g}: within / beyond",
                    f"{near_count:,} / about {estimate:,.0f} ({lost:.1%} lost)",
                )
            )

    # Suspect queries against every crime of the force as if solved (20,000 indexed).
    suspects = SuspectIndex.build(
        crimes, force.offenders(np.arange(len(crimes)), everyone=True), model
    )
    times, ranks = [], []
    for row in held:
        query = whole.crimes.take(np.array([row]))
        t = time.perf_counter()
        answer = suspects.identify(query, top=10)
        times.append(time.perf_counter() - t)
        names = [s.offender for s in answer]
        truth = f"o{whole.offender[row]}"
        ranks.append(names.index(truth) + 1 if truth in names else 0)
    ms = np.array(times) * 1000
    table.append(
        (
            f"suspect query, {len(suspects):,} indexed",
            f"median {np.median(ms):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms over {len(held)}"
            " (target < 200 ms)",
        )
    )
    r = np.array(ranks)
    table.append(
        (
            "  true offender first / in top 10",
            f"{(r == 1).mean():.0%} / {(r > 0).mean():.0%}",
        )
    )
    width = max(len(a) for a, _ in table)
    for a, b in table:
        print(f"  {a:<{width}}  {b}")


if __name__ == "__main__":
    main()
