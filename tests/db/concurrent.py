"""Requests that arrive at once: each in its own thread, session and connection, released together,
for the tests that a limit holds under concurrency (on PostgreSQL, the race that counts before
another request's hit is recorded; SQLite's write lock serialises them)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
BARRIER_TIMEOUT_S = 30


def at_once(n: int, work: Callable[[int], T]) -> list[T]:
    """`work(0)` ... `work(n - 1)`, each in its own thread, all started together; their results in
    that order (the first exception is raised)."""
    barrier = threading.Barrier(n, timeout=BARRIER_TIMEOUT_S)

    def run(i: int) -> T:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))
