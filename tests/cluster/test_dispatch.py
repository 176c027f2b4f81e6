"""The order forces are handed to workers: largest first, and a force only to a free worker."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import TypeVar

import pytest
import typer

from streetlight.cli.terminal import cli_errors
from streetlight.cluster.run import ClusterSpec, RunInterrupted, heaviest_first, run_per_force
from tests.cluster.dying import sleep_for, worker_settings

T = TypeVar("T")

# One long force and three short ones, asked in the worst order for handing out in turn.
SECONDS = {"a-short": 0.3, "b-short": 0.3, "c-short": 0.3, "d-long": 1.5}
ROWS = {"a-short": 100, "b-short": 100, "c-short": 100, "d-long": 500}


def test_the_largest_force_starts_first_and_the_short_ones_fill_the_other_worker(
    scheduler: str,
) -> None:
    """Longest first on two workers: one works on the long force while the other does the three
    short ones (1.5 s against 0.9 s). Handed out in the order asked, each worker would get two
    forces and one of them 1.8 s of work; the assignment, not the clock, is checked."""
    task = partial(sleep_for, SECONDS)
    outcomes = run_per_force(task, list(SECONDS), ClusterSpec(scheduler=scheduler), sizes=ROWS)
    assert list(outcomes.results) == list(SECONDS)  # reported in the order asked
    workers = {force: pid for force, pid in outcomes.results.values()}
    long_worker = workers["d-long"]
    assert [f for f, pid in workers.items() if pid == long_worker] == ["d-long"]
    assert len({workers[f] for f in ("a-short", "b-short", "c-short")}) == 1


def test_heaviest_first_keeps_the_order_asked_among_equals_and_without_sizes() -> None:
    assert heaviest_first(["c", "a", "b"], None) == ["c", "a", "b"]
    assert heaviest_first(["c", "a", "b", "d"], {"a": 5, "b": 9, "c": 5}) == ["b", "c", "a", "d"]


def test_ctrl_c_says_which_forces_had_finished(
    scheduler: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C once the first force is in: the run says that one is written, not that nothing
    was (its files are in place), and the command exits as interrupted."""

    def interrupted_after_one(items: Iterable[T], total: int) -> Iterator[T]:
        for item in items:
            yield item
            raise KeyboardInterrupt

    task = partial(sleep_for, {"a": 0.0, "b": 2.0, "c": 2.0})
    with pytest.raises(RunInterrupted) as caught:
        run_per_force(
            task, ["a", "b", "c"], ClusterSpec(scheduler=scheduler), interrupted_after_one
        )
    assert caught.value.finished == ("a",)
    with pytest.raises(typer.Exit) as exited, cli_errors():
        raise caught.value
    assert exited.value.exit_code == 130
    assert "1 of 3 forces had finished" in capsys.readouterr().err


def test_the_local_cluster_starts_workers_for_polars_and_numpy_work() -> None:
    """One OpenMP thread a worker (Dask's default, kept), but neither the allocator setting that
    cost 40% more CPU nor the profiler that feeds a dashboard the local cluster does not serve."""
    outcomes = run_per_force(worker_settings, ["cleveland"], ClusterSpec(workers=1))
    assert outcomes.results["cleveland"] == {
        "profile": False,
        "malloc_trim": None,
        "omp_threads": "1",
    }
