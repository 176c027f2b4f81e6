"""Group commit: the requests that arrive while one transaction commits share the next one.

A public check writes five rows under the audit chain's lock, and the lock, not the work, caps
how many checks a second the database takes: run one transaction per check and the checks queue
for the lock one by one. `GroupCommit` hands each item to one worker thread, which takes every
item waiting when it becomes free (up to `max_batch`) and runs them as one batch; each caller
gets its own result only after the batch's transaction has committed. Nothing waits on purpose:
a lone request is a batch of one and starts at once, and batches grow only as load does.

A batch that raises is run again item by item, so one bad item fails alone. A caller that gave
up before its batch started (a timeout) cancels its future and is skipped. The worker thread
exits after `linger` seconds without work, so an idle app holds no thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Run `run` on batches of submitted items, in submission order, one batch at a time.

    `run(items)` returns one result per item, in order, and returns only once they are durable.
    """

    def __init__(
        self,
        run: Callable[[Sequence[T]], Sequence[R]],
        *,
        max_batch: int = 64,
        linger: float = 1.0,
    ) -> None:
        self._run = run
        self._max_batch = max_batch
        self._linger = linger
        self._waiting: queue.SimpleQueue[tuple[T, Future[R]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, item: T) -> Future[R]:
        """Queue `item`; the future holds its result once its batch has committed."""
        future: Future[R] = Future()
        self._waiting.put((item, future))
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="group-commit", daemon=True)
                self._worker.start()
        return future

    @property
    def waiting(self) -> int:
        """Items queued for a batch that has not started yet."""
        return self._waiting.qsize()

    def _work(self) -> None:
        while True:
            try:
                first = self._waiting.get(timeout=self._linger)
            except queue.Empty:
                with self._lock:
                    # `submit` queues before it looks at `_worker`: an item queued after this
                    # check finds no worker and starts one.
                    if self._waiting.empty():
                        self._worker = None
                        return
                continue
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self._commit([(item, f) for item, f in batch if f.set_running_or_notify_cancel()])

    def _commit(self, batch: list[tuple[T, Future[R]]]) -> None:
        if not batch:
            return
        try:
            results = self._results([item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for item, future in batch:  # one bad item must not fail the others
                try:
                    future.set_result(self._results([item])[0])
                except Exception as alone:
                    future.set_exception(alone)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)

    def _results(self, items: list[T]) -> Sequence[R]:
        results = self._run(items)
        if len(results) != len(items):
            raise RuntimeError(f"{len(items)} items gave {len(results)} results")
        return results
