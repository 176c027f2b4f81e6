"""Terminal output, progress bars and turning library errors into one-line CLI errors."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from streetlight.errors import StreetlightError
from streetlight.progress import Step

T = TypeVar("T")

# No markup: file names, notes and messages may hold square brackets ("[columns]"); no emoji
# codes either (a name with ":cat:" in it stays as it is, and Rich's emoji table is not loaded).
out = Console(highlight=False, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, markup=False, emoji=False)


@contextlib.contextmanager
def cli_errors() -> Iterator[None]:
    """Library errors become `error: <file>: <problem>` on stderr and exit status 1; no traceback."""
    # Typer (with the pydantic it loads) only when exiting: `streetlight info`'s quick path
    # prints through this module without it (see entry.py).
    import typer

    try:
        yield
    except StreetlightError as exc:
        err.print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt as exc:  # what was written, when some of it was (RunInterrupted)
        err.print(str(exc) or "interrupted: nothing was written", soft_wrap=True)
        raise typer.Exit(130) from None


def progress_bar(description: str, quiet: bool) -> Progress | None:
    """A Rich progress bar on stderr, or None when quiet or stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        _CountColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


class _CountColumn(ProgressColumn):
    """Items done of the total; for work counted in rows (`progress.Step`), rows and rows/s."""

    _items = MofNCompleteColumn()

    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows")
        if rows is None:
            return self._items.render(task)
        elapsed = task.elapsed or 0.0
        rate = f" {rows / elapsed:,.0f}/s" if elapsed > 0 else ""
        return Text(f"{rows:,} rows{rate}", style="progress.download")


def tracked(
    bar: Progress | None, description: str, then: str | None = "checking rows and writing"
) -> Tracker:
    return Tracker(bar, description, then)


class Tracker:
    """Wraps an iterator so the library never imports the progress bar (sqlite-utils habit)."""

    def __init__(self, bar: Progress | None, description: str, then: str | None) -> None:
        self._bar = bar
        self._description = description
        self._then = then

    def __call__(self, items: Iterable[T], total: int) -> Iterable[T]:
        if self._bar is None:
            yield from items
            return
        task = self._bar.add_task(self._description, total=total)
        rows = 0
        for item in items:
            yield item
            if isinstance(item, Step):
                rows += item.progress_rows
                self._bar.update(task, advance=item.progress_units, rows=rows)
            else:
                self._bar.advance(task)
        # What follows the last item (row checks, the commit) has no count: show it is alive.
        if self._then:
            self._bar.add_task(self._then, total=None)
