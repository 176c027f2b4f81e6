"""Run a per-force function for every force on Dask distributed, one task per force.

By default a `LocalCluster` of worker processes with one thread each (the work is numpy and
polars under the GIL's release only in parts, so processes scale where threads would not);
given a scheduler address, any running cluster whose workers can import Streetlight and read the
store at the same path (docs/cluster.md).

A worker that dies mid-task (killed, out of memory) is replaced by its nanny and the scheduler
runs the task again elsewhere, up to `distributed.scheduler.allowed-failures` times. Results are
gathered into a dict keyed by force, so a retry replaces an attempt, never adds a second one.
Dask is imported inside `run_per_force` only: the CLI's start-up must not pay for it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from streetlight.errors import ConfigError, StreetlightError
from streetlight.progress import Progress, no_progress

T = TypeVar("T")
# Attempts of one force lost to dying workers before it is given up. A running cluster
# (--scheduler) uses its own scheduler's setting, 3 unless configured otherwise.
ALLOWED_FAILURES = 3
WORKER_WAIT_S = 60.0  # how long a running cluster may take to have a worker
_MALLOC_TRIM = "MALLOC_TRIM_THRESHOLD_"


class ClusterSettingsError(ConfigError):
    """A cluster asked for in a way that cannot work (a bad worker count or scheduler address)."""


class OneForceOnlyError(ConfigError):
    """An option that describes one force (its boundary, its database) given with --force all."""


def one_force_only(flag: str, value: object) -> None:
    """Refuse `flag` with --force all: one value cannot describe every force."""
    if value:
        raise OneForceOnlyError(
            f"{flag} describes one force: run that force alone (--force NAME) to use it"
        )


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: the forces whose tasks had finished are written, in their folders;
    the others, and the summary across forces, are not."""

    def __init__(self, finished: Sequence[str], total: int) -> None:
        self.finished = tuple(finished)
        super().__init__(
            f"interrupted: {len(self.finished)} of {total} forces had finished and are written "
            "in their folders; the others and the summary across forces were not"
        )


class ClusterUnreachableError(ConfigError):
    """The scheduler at the --scheduler address could not be reached."""


@dataclass(frozen=True, kw_only=True)
class ClusterSpec:
    """Where the tasks run.

    Attributes:
        scheduler: address of a running scheduler (`tcp://host:8786`); None: a local cluster.
        workers: worker processes of the local cluster; None: one per core.
    """

    scheduler: str | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ClusterSettingsError(f"--workers must be at least 1, not {self.workers}")
        if self.scheduler is not None and self.workers is not None:
            raise ClusterSettingsError(
                "--workers sizes the local cluster; a running cluster (--scheduler) has its own"
            )

    def local_workers(self) -> int:
        return self.workers or os.cpu_count() or 1


@dataclass(frozen=True)
class Outcomes(Generic[T]):
    """Each force's result, or why its task failed (`{force: message}`), forces in the order
    asked; the workers the cluster had when the tasks were submitted, and the seconds from
    submitting them to the last result (the cluster's start-up not counted)."""

    results: Mapping[str, T]
    failed: Mapping[str, str]
    workers: int = 0
    seconds: float = 0.0
    cpu: Mapping[str, Attempt] = field(default_factory=dict)

    def busiest_worker(self) -> float:
        """CPU seconds of the worker that worked longest: what the run would take with nothing
        else on the machine, however loaded it was (the speed-up the workers can give)."""
        per_worker: dict[str, float] = {}
        for attempt in self.cpu.values():
            per_worker[attempt.worker] = per_worker.get(attempt.worker, 0.0) + attempt.seconds
        return max(per_worker.values(), default=0.0)


@dataclass(frozen=True)
class Attempt:
    """Where a force's (last) attempt ran and the CPU seconds its process spent on it."""

    worker: str
    seconds: float


def _measured(task: Callable[[str], T], force: str) -> tuple[T, Attempt]:
    """`task(force)` and the CPU time of the worker process while it ran: one thread runs one
    task at a time in each worker, so the process's CPU time is the task's (its polars and
    BLAS threads included)."""
    start = time.process_time()
    result = task(force)
    return result, Attempt(f"{socket.gethostname()}:{os.getpid()}", time.process_time() - start)


def run_per_force(
    task: Callable[[str], T],
    forces: Sequence[str],
    spec: ClusterSpec,
    progress: Progress = no_progress,
    sizes: Mapping[str, int] | None = None,
) -> Outcomes[T]:
    """`task(force)` for every force, one Dask task each, advancing `progress` as each ends.

    `task` must be picklable and importable on the workers (a module-level function, or a
    `functools.partial` of one) and return plain data. A force whose task raises is reported in
    `failed` with the error's message; the others still run. `sizes` (rows per force, say)
    orders the work heaviest first (see `_Dispatch`).
    """
    import dask
    from distributed import Client, LocalCluster

    done: dict[str, T] = {}
    cpu: dict[str, Attempt] = {}
    failed: dict[str, str] = {}
    run = uuid.uuid4().hex[:8]
    # Dask's nanny gives workers MALLOC_TRIM_THRESHOLD_=64 KiB, to hand memory back to the OS
    # sooner; for polars and numpy, which allocate and free large buffers all the time, it cost a
    # worker about 40% more CPU than the same forces in one plain process (41 against 29 s in
    # bench_all_forces.py, most of it system time). Without it, the two are level (33.4 and
    # 33.1 s). The thread limits stay: one thread per worker process. The workers' statistical
    # profiler, which takes the GIL every 10 ms to walk the task's stack, feeds only the
    # dashboard, which the local cluster does not serve: off, a worker spent about 7% less CPU
    # on the same forces (34.6 against 37.1 s, two runs each on a loaded machine).
    # A nanny also copies its setting into this process's environment before it spawns, so one
    # cluster started here with Dask's defaults (by a test, in a notebook) would pass the
    # allocator setting on to every later cluster's workers: it is kept out for the run.
    settings = {
        "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ": {
            k: v
            for k, v in dask.config.get("distributed.nanny.pre-spawn-environ").items()
            if k != _MALLOC_TRIM
        },
    }
    with dask.config.set(settings), _environ_without(_MALLOC_TRIM):
        if spec.scheduler is None:
            cluster = LocalCluster(
                n_workers=spec.local_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        else:
            cluster = None
            try:
                client = Client(spec.scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterUnreachableError(
                    f"--scheduler {spec.scheduler}: cannot reach the scheduler ({exc})"
                ) from exc
            try:  # tasks on a cluster without workers would wait for ever
                client.wait_for_workers(1, timeout=WORKER_WAIT_S)
            except TimeoutError as exc:
                client.close()
                raise ClusterUnreachableError(
                    f"--scheduler {spec.scheduler}: no worker joined in {WORKER_WAIT_S:g} s "
                    "(start some with `dask worker ADDRESS`)"
                ) from exc
        try:
            workers = len(client.nthreads())
            start = time.perf_counter()
            dispatch = _Dispatch(client, task, heaviest_first(forces, sizes), run)
            for future in progress(dispatch.completed(), total=len(forces)):
                force = dispatch.force_of(future)
                try:
                    done[force], cpu[force] = future.result()
                except Exception as exc:  # any failure of one force is reported, not raised
                    failed[force] = _why(exc)
            seconds = time.perf_counter() - start
        except KeyboardInterrupt:
            raise RunInterrupted([f for f in forces if f in done], len(forces)) from None
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    results = {force: done[force] for force in forces if force in done}
    in_order = {force: failed[force] for force in forces if force in failed}
    attempts = {force: cpu[force] for force in forces if force in cpu}
    return Outcomes(results, in_order, workers, seconds, attempts)


@contextlib.contextmanager
def _environ_without(name: str) -> Iterator[None]:
    """This process's environment without `name` while the block runs, as it was afterwards."""
    saved = os.environ.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[name] = saved


def heaviest_first(forces: Sequence[str], sizes: Mapping[str, int] | None) -> list[str]:
    """The forces in the order their tasks start: largest first, ties in the order asked."""
    if not sizes:
        return list(forces)
    return sorted(forces, key=lambda force: -sizes.get(force, 0))


class _Dispatch:
    """Hands the scheduler one task per worker thread, the next only as one ends.

    Submitted all at once, the tasks were spread over the workers ahead of time and then moved
    about by work stealing, which guesses a task's length from others of its kind (each force's
    task is a kind of its own): with six forces of about 10 CPU s each, a two-worker run gave
    one worker four of them (41 CPU s against the other's 21). Handing out the next force only
    to a worker that is free is greedy list scheduling; with the largest forces first
    (`heaviest_first`) it is the longest-processing-time rule, whose finish is within 4/3 of the
    best possible. The pool of workers is asked again at each end, so workers that join a
    running cluster are used and a dead worker's task, rescheduled by Dask, still counts as in
    flight.
    """

    def __init__(self, client: Any, task: Callable[[str], T], order: Sequence[str], run: str):
        from distributed import as_completed

        self._client = client
        self._task = task
        self._waiting = list(reversed(order))
        self._run = run
        self._forces: dict[Any, str] = {}
        self._in_flight = as_completed(loop=client.loop)

    def completed(self) -> Iterator[Any]:
        """Each future as it ends, in the order they end, until every force has run."""
        self._fill()
        for future in self._in_flight:
            yield future
            self._fill()

    def force_of(self, future: Any) -> str:
        return self._forces.pop(future)

    def _fill(self) -> None:
        threads = max(sum(self._client.nthreads().values()), 1)
        while self._waiting and self._in_flight.count() < threads:
            force = self._waiting.pop()
            future = self._client.submit(
                _measured, self._task, force, key=f"streetlight-{force}-{self._run}", pure=False
            )
            self._forces[future] = force
            self._in_flight.add(future)


def _why(exc: BaseException) -> str:
    """One line for a failed force: a Streetlight error's own message, else the error's type too."""
    if isinstance(exc, StreetlightError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
