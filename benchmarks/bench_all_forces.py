"""`streetlight backtest --force all` on 1 and 2 Dask workers, side by side (issue 22, part 4).

    nice -n 10 uv run python benchmarks/bench_all_forces.py [--forces 10] [--repeat 2]
        [--months 2025-06:2025-11] [--models ew-6,gbm] [--store DIR]

Builds a store of several forces from the bundled Cleveland sample (its files copied under real
force names, Crime IDs altered so nothing is skipped as already stored, and a different share of
rows left out of each copy so no two forces are the same), then times the real command, each run
a fresh process that starts its own local cluster: with `--workers 1` and `--workers 2`. Beside
them, without Dask: every force backtested one after another in one process ("serial"), and the
forces split by hand into two halves of about equal rows, run as two plain processes side by
side ("2 serial"): what two cores give this work with no scheduler at all, the ceiling for the
two workers on this machine. The four are interleaved `--repeat` times so they share the
machine's load; the medians and the speed-ups are printed, end to end (the command as a user
runs it: start-up, the cluster, the forces, the summary) and for the forces alone (from
submitting the tasks to the last result, as the command reports it). Figures go in CHANGELOG.md
and docs/cluster.md; nothing here is a test.

The default work is the learned model (`gbm`, scikit-learn's histogram gradient boosting) on six
months of ten forces: the expensive part of a national backtest, enough work per worker (about a
minute) that the start-up each process pays once (imports, a first fit: a few seconds) does not
hide the speed-up. Dask starts its workers with one OpenMP/BLAS thread each
(`OMP_NUM_THREADS=1`); every run here gets the same setting, so the runs differ only in how the
forces are spread, not in threads inside a model.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample" / "cleveland-2023-12_2025-11.zip"
FORCES = (
    "durham", "northumbria", "north-yorkshire", "west-yorkshire", "cumbria", "lancashire",
    "merseyside", "cheshire", "humberside",
)  # fmt: skip
VIOLENCE = "Violence and sexual offences"

# Every force backtested in turn in one process: what `--force all` replaces.
SERIAL = """
import sys
from dataclasses import replace
from pathlib import Path
from streetlight.evaluate.run import BacktestRequest, run_backtest, write_backtest
from streetlight.store.months import parse_month
from streetlight.store.store import Store

import json, time
start, cpu = time.perf_counter(), time.process_time()
store_path, first, last, models, out = sys.argv[1:6]
store = Store.open(store_path)
request = BacktestRequest(first=parse_month(first), last=parse_month(last),
                          categories=(sys.argv[6],), models=tuple(models.split(",")))
for force in sys.argv[7].split(",") if len(sys.argv) > 7 else sorted(store.forces):
    run = run_backtest(store, replace(request, force=force))
    write_backtest(run, Path(out) / force / "bt.json", None)
print(json.dumps({"forces": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
"""


def force_copy(target: Path, force: str, drop_every: int) -> Path:
    """The sample's files as `force`'s: Crime IDs altered, every `drop_every`-th row left out."""
    with zipfile.ZipFile(SAMPLE) as archive, zipfile.ZipFile(target, "w") as copy:
        for name in archive.namelist():
            rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
            kept = [rows[0]] + [
                [f"{force[:3]}{row[0][3:]}" if row[0] else "", *row[1:]]
                for i, row in enumerate(rows[1:])
                if i % drop_every
            ]
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(kept)
            copy.writestr(name.replace("cleveland", force), buffer.getvalue())
    return target


def build_store(folder: Path, n_forces: int) -> Path:
    """The sample (Cleveland) and `n_forces - 1` altered copies, ingested into one store."""
    from streetlight.ingest import ingest
    from streetlight.store import Store

    sources = [SAMPLE] + [
        force_copy(folder / f"{force}.zip", force, drop_every=5 + i)
        for i, force in enumerate(FORCES[: n_forces - 1])
    ]
    store = Store.open(folder / "store", create=True)
    report = ingest(sources, store)
    print(f"store: {len(Store.open(store.root).forces)} forces, {report.accepted:,} incidents")
    return store.root


# The command's own line: "6 forces on 2 workers in 41.3 s (the cluster's start-up not counted);
# CPU 30.2 s, the busiest worker's 15.4 s".
LINE = re.compile(r"workers in ([\d.]+) s .*CPU ([\d.]+) s, the busiest worker's ([\d.]+) s")
ONE_THREAD = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
MEASURES = ("end to end", "the forces", "CPU", "busiest worker's CPU")
NAMES = ("1 worker", "2 workers", "serial", "2 serial")


def timed(*commands: list[str]) -> list[float]:
    """Seconds end to end; for the forces alone (from the tasks' submission to the last
    result); the CPU seconds of all tasks; and of the worker that worked longest. Several
    commands run side by side: their figures are those of the whole (the last to end, CPU
    summed, the busiest process)."""
    start = time.perf_counter()
    running = [
        subprocess.Popen(
            command, stdout=subprocess.PIPE, text=True, env={**os.environ, **ONE_THREAD}
        )
        for command in commands
    ]
    outputs = [process.communicate()[0] for process in running]
    total = time.perf_counter() - start
    if any(process.returncode for process in running):
        raise SystemExit(f"a run failed: {commands}")
    line = LINE.search(" ".join(outputs[0].split()))
    if line:
        return [total, *(float(v) for v in line.groups())]
    serial = [json.loads(output) for output in outputs]
    return [
        total,
        max(s["forces"] for s in serial),
        sum(s["cpu"] for s in serial),
        max(s["cpu"] for s in serial),
    ]


def halves(store: Path) -> list[str]:
    """The store's forces in two lists of about equal rows, largest first into the lighter:
    how one would split the work by hand between two plain processes."""
    from streetlight.store import Store

    rows = Store.open(store).manifest.rows_by_force()
    sides: list[list[str]] = [[], []]
    loads = [0, 0]
    for force in sorted(rows, key=lambda f: -rows[f]):
        lighter = loads.index(min(loads))
        sides[lighter].append(force)
        loads[lighter] += rows[force]
    return [",".join(sorted(side)) for side in sides]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forces", type=int, default=10, help="forces in the store (2-10)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--months", default="2025-06:2025-11", help="FIRST:LAST forecast months")
    parser.add_argument("--models", default="ew-6,gbm")
    parser.add_argument("--store", type=Path, help="reuse a store built before")
    args = parser.parse_args()
    first, last = args.months.split(":")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = args.store or build_store(folder, max(2, min(args.forces, len(FORCES) + 1)))
        backtest = [
            sys.executable, "-m", "streetlight", "backtest", "--store", str(store),
            "--category", VIOLENCE, "--start", first, "--end", last, "--models", args.models,
            "--force", "all", "--quiet",
        ]  # fmt: skip
        serial = [sys.executable, "-c", SERIAL, str(store), first, last, args.models]
        runs: dict[str, list[list[float]]] = {name: [] for name in NAMES}
        for repeat in range(args.repeat):
            for name, commands in (
                ("1 worker", [[*backtest, "--workers", "1", "--json", f"{tmp}/w1/bt.json"]]),
                ("2 workers", [[*backtest, "--workers", "2", "--json", f"{tmp}/w2/bt.json"]]),
                ("serial", [[*serial, f"{tmp}/serial", VIOLENCE]]),
                ("2 serial", [[*serial, f"{tmp}/halves", VIOLENCE, h] for h in halves(store)]),
            ):
                runs[name].append(timed(*commands))
                figures = ", ".join(
                    f"{what} {v:.1f} s" for what, v in zip(MEASURES, runs[name][-1], strict=True)
                )
                print(f"  repeat {repeat + 1}: {name:<10} {figures}", flush=True)
    print(f"\nbacktest --force all, {args.models}, {first}..{last} (median of {args.repeat}):")
    medians = {
        name: [statistics.median(t[i] for t in times) for i in range(len(MEASURES))]
        for name, times in runs.items()
    }
    print(f"  {'':<10}" + "".join(f"{what:>22}" for what in MEASURES))
    for name, values in medians.items():
        print(f"  {name:<10}" + "".join(f"{v:>20.1f} s" for v in values))
    for i, what in enumerate(MEASURES):
        one, two, serial_one, serial_two = (medians[n][i] for n in NAMES)
        print(
            f"  {what}: 1 -> 2 workers {one / two:.2f}x; 1 -> 2 plain processes "
            f"{serial_one / serial_two:.2f}x; serial / 2 workers {serial_one / two:.2f}x"
        )


if __name__ == "__main__":
    main()
