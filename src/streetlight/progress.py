"""How long library work reports progress without the library importing a progress bar.

The CLI passes a callable that wraps an iterable in a bar (sqlite-utils habit); library calls
default to `no_progress`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar, runtime_checkable

T = TypeVar("T")


class Progress(Protocol):
    """Wraps an iteration of `total` items; yields them unchanged."""

    def __call__(self, items: Iterable[T], total: int) -> Iterable[T]: ...


@runtime_checkable
class Step(Protocol):
    """An item worth more than one step: `progress_units` toward the total (say, bytes read, when
    `total` is in bytes) and `progress_rows` rows done, for a rate in rows/s. Bars that know of
    it advance by its units; others count it as one item."""

    @property
    def progress_units(self) -> int: ...

    @property
    def progress_rows(self) -> int: ...


def no_progress(items: Iterable[T], total: int) -> Iterable[T]:
    return items
