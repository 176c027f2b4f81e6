"""Tasks for the cluster tests: one that kills its own Dask worker once (the fault the retry must
absorb), one that fails, one that only takes time, and one that tells how its worker was started.

Importable by the workers (a module, not a test), so it pickles by reference.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from streetlight.cluster import staging
from streetlight.store.store import UnknownForceError

T = TypeVar("T")


def _claim(marker: Path) -> bool:
    """True for the one attempt that creates `marker` (atomic across processes)."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def die_once_before_publishing(
    marker: Path, victim: str, task: Callable[[str], T], force: str
) -> T:
    """`task(force)`; but the first attempt at `victim` kills its own worker process (SIGKILL,
    as the out-of-memory killer would) once its files are written to staging and before they
    are moved into place: the worst moment for a half-written output."""
    if force == victim and _claim(marker):

        def die(self: staging.Staging) -> None:
            os.kill(os.getpid(), signal.SIGKILL)

        staging.Staging.publish = die  # type: ignore[method-assign]  # this process dies with it
    return task(force)


def fail_for(victim: str, force: str) -> str:
    """The force's name, except that `victim`'s task fails as a force without data would."""
    if force == victim:
        raise UnknownForceError(f"no force {force!r} in the store")
    return force


def sleep_for(seconds: dict[str, float], force: str) -> tuple[str, int]:
    """Wait `seconds[force]` (a force of that many seconds' work), then say which worker ran it."""
    time.sleep(seconds[force])
    return force, os.getpid()


def worker_settings(force: str) -> dict[str, object]:
    """What the worker running `force` was started with: the settings `run_per_force` chose."""
    import dask

    return {
        "profile": dask.config.get("distributed.worker.profile.enabled"),
        "malloc_trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        "omp_threads": os.environ.get("OMP_NUM_THREADS"),
    }
