"""Group commit: what arrives while a batch runs goes into the next one, each caller gets its own
result, a bad item fails alone, a caller that gave up is skipped, and no thread outlives the work."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future

import pytest

from streetlight.web.core.group_commit import GroupCommit


class Recorder:
    """A `run` that records each batch and, while `gate` is closed, holds the first one."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = threading.Event()
        self.started = threading.Event()

    def __call__(self, items: Sequence[int]) -> list[int]:
        self.started.set()
        self.gate.wait(timeout=10)
        self.batches.append(list(items))
        if any(item < 0 for item in items):
            raise ValueError("a bad item")
        return [item * 10 for item in items]


def _held(recorder: Recorder, commits: GroupCommit[int, int]) -> Future[int]:
    """Submit 0 and wait until its batch is running (and held at the gate)."""
    first = commits.submit(0)
    assert recorder.started.wait(timeout=10)
    return first


def test_items_arriving_during_a_batch_share_the_next_one() -> None:
    recorder = Recorder()
    commits = GroupCommit(recorder)
    first = _held(recorder, commits)
    waiting = [commits.submit(n) for n in range(1, 6)]
    recorder.gate.set()
    assert first.result(timeout=10) == 0
    assert [f.result(timeout=10) for f in waiting] == [10, 20, 30, 40, 50]
    assert recorder.batches == [[0], [1, 2, 3, 4, 5]]


def test_batches_are_capped() -> None:
    recorder = Recorder()
    commits = GroupCommit(recorder, max_batch=2)
    first = _held(recorder, commits)
    waiting = [commits.submit(n) for n in range(1, 6)]
    recorder.gate.set()
    assert [f.result(timeout=10) for f in [first, *waiting]] == [0, 10, 20, 30, 40, 50]
    assert recorder.batches == [[0], [1, 2], [3, 4], [5]]


def test_a_bad_item_fails_alone() -> None:
    recorder = Recorder()
    commits = GroupCommit(recorder)
    _held(recorder, commits)
    waiting = [commits.submit(n) for n in (1, -1, 2)]
    recorder.gate.set()
    assert waiting[0].result(timeout=10) == 10
    with pytest.raises(ValueError, match="a bad item"):
        waiting[1].result(timeout=10)
    assert waiting[2].result(timeout=10) == 20
    # The batch failed as a whole, then each item ran alone.
    assert recorder.batches[1:] == [[1, -1, 2], [1], [-1], [2]]


def test_a_caller_that_gave_up_is_skipped() -> None:
    recorder = Recorder()
    commits = GroupCommit(recorder)
    _held(recorder, commits)
    abandoned, kept = commits.submit(1), commits.submit(2)
    assert abandoned.cancel()
    recorder.gate.set()
    assert kept.result(timeout=10) == 20
    with pytest.raises(CancelledError):
        abandoned.result(timeout=10)
    assert recorder.batches == [[0], [2]]


def test_a_run_that_loses_results_fails_every_item() -> None:
    commits: GroupCommit[int, int] = GroupCommit(lambda items: list(items)[:-1])
    with pytest.raises(RuntimeError, match="1 items gave 0 results"):
        commits.submit(1).result(timeout=10)


def _workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "group-commit"}


def test_the_worker_leaves_when_idle_and_comes_back_for_more_work() -> None:
    others = _workers()
    commits: GroupCommit[int, int] = GroupCommit(lambda items: list(items), linger=0.5)
    assert commits.submit(1).result(timeout=10) == 1
    (worker,) = _workers() - others
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert commits.submit(2).result(timeout=10) == 2
