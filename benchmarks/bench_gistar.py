"""Gi* speed: `streetlight.hotspots.gistar.gi_star` beside PySAL esda's G_Local on the same cells.

    uv run python benchmarks/bench_gistar.py [--cols 400] [--rows 250] [--radius 1] [--repeat 5]

A cols x rows grid (100,000 cells by default) with a few holes cut out, Poisson counts, binary
queen-style weights of the given radius including the cell itself. esda gets its weights built
beforehand (timed separately, both the old `W` and the newer `Graph`, which esda handles faster)
and `permutations=0`, so its figure is the analytic z-scores alone, less work than `gi_star` does
(which also finds the neighbours, p-values and BH hot spots). All run in this process, alternating,
best of `--repeat`; the z-scores are compared too. Figures go in CHANGELOG.md and the issue's
closing note; nothing here is a test.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np

from streetlight.hotspots.base import FloatArray, IntArray
from streetlight.hotspots.gistar import gi_star


def area(cols: int, rows: int, seed: int) -> tuple[IntArray, IntArray, FloatArray]:
    """All cells of a cols x rows box but a few rectangular holes, with Poisson(1.5) counts."""
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(cols), np.arange(rows), indexing="ij")
    keep = np.ones(ii.shape, dtype=np.bool_)
    for _ in range(8):  # lakes and parks: holes are cells that do not exist, not zeros
        a, b = int(rng.integers(0, cols - 10)), int(rng.integers(0, rows - 10))
        keep[a : a + 10, b : b + 6] = False
    i = ii[keep].astype(np.int64)
    j = jj[keep].astype(np.int64)
    return i, j, rng.poisson(1.5, len(i)).astype(np.float64)


def esda_weights(i: IntArray, j: IntArray, radius: int) -> object:
    """libpysal W for the same cells: Chebyshev-radius neighbours, found by offset look-ups."""
    from libpysal.weights import W

    n = len(i)
    span = int(j.max()) + 2 * radius + 1  # j + radius of any cell or wanted neighbour fits in it

    def key(a: IntArray, b: IntArray) -> IntArray:
        return a * span + (b + radius)

    keys = key(i, j)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    focal: list[IntArray] = []
    neighbour: list[IntArray] = []
    for di in range(-radius, radius + 1):
        for dj in range(-radius, radius + 1):
            if di == dj == 0:
                continue
            wanted = key(i + di, j + dj)
            pos = np.clip(np.searchsorted(sorted_keys, wanted), 0, n - 1)
            found = sorted_keys[pos] == wanted
            focal.append(np.flatnonzero(found))
            neighbour.append(order[pos[found]])
    f = np.concatenate(focal)
    g = np.concatenate(neighbour)
    split = np.cumsum(np.bincount(f, minlength=n))[:-1]
    by_focal = np.split(g[np.argsort(f, kind="stable")], split)
    return W({k: v.tolist() for k, v in enumerate(by_focal)}, silence_warnings=True)


def timed(run: Callable[[], FloatArray]) -> tuple[float, FloatArray]:
    t = time.perf_counter()
    z = run()
    return time.perf_counter() - t, z


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cols", type=int, default=400)
    parser.add_argument("--rows", type=int, default=250)
    parser.add_argument("--radius", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import esda  # lazily: esda and libpysal are test and benchmark tools, not dependencies
    from libpysal.graph import Graph

    i, j, x = area(args.cols, args.rows, args.seed)
    t = time.perf_counter()
    old_w = esda_weights(i, j, args.radius)
    build_w = time.perf_counter() - t
    t = time.perf_counter()
    graph = Graph.from_W(old_w)
    build_graph = time.perf_counter() - t

    def ours() -> FloatArray:
        return gi_star(x, i, j, radius=args.radius).z

    def esda_with(weights: object) -> Callable[[], FloatArray]:
        def run() -> FloatArray:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                local = esda.G_Local(x, weights, transform="B", star=True, permutations=0)
            return np.asarray(local.Zs, dtype=np.float64)

        return run

    runs = {
        "gi_star (z, p, BH hot spots)": ours,
        "esda G_Local, libpysal Graph": esda_with(graph),
        "esda G_Local, libpysal W": esda_with(old_w),
    }
    for run in runs.values():  # warm up: imports, first-call allocations
        run()
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    z: dict[str, FloatArray] = {}
    for _ in range(args.repeat):  # alternate, so machine noise hits all alike
        for name, run in runs.items():
            took, z[name] = timed(run)
            seconds[name].append(took)
    best = {name: min(times) for name, times in seconds.items()}
    ours_best = best["gi_star (z, p, BH hot spots)"]
    print(
        f"{len(x):,} cells in a {args.cols} x {args.rows} box, radius {args.radius}; "
        f"best of {args.repeat} runs each (esda: star=True, transform='B', permutations=0)"
    )
    print(f"{'':32}{'seconds':>9}{'x gi_star':>11}{'max |dz|':>11}")
    for name, took in best.items():
        dz = float(np.abs(z[name] - z["gi_star (z, p, BH hot spots)"]).max())
        print(f"{name:32}{took:9.4f}{took / ours_best:11.1f}{dz:11.1e}")
    print(f"{'building the W, once':32}{build_w:9.4f}")
    print(f"{'  then Graph.from_W, once':32}{build_graph:9.4f}")


if __name__ == "__main__":
    main()
