"""The order forces are handed to workers: largest first, and a force only to a free worker."""

from __future__ import annotations

from functools import partial

from streetlight.cluster.run import ClusterSpec, heaviest_first, run_per_force
from tests.cluster.dying import sleep_for

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
