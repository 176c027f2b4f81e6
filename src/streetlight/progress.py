"""How long library work reports progress without the library importing a progress bar.

The CLI passes a callable that wraps an iterable in a bar (sqlite-utils habit); library calls
default to `no_progress`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    """Wraps an iteration of `total` items; yields them unchanged."""

    def __call__(self, items: Iterable[T], total: int) -> Iterable[T]: ...


def no_progress(items: Iterable[T], total: int) -> Iterable[T]:
    return items
