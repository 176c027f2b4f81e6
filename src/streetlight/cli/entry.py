"""The `streetlight` console script: `info` without building the command line.

Building the whole command line imports every command and, through them, polars, numpy, pyproj
and the web app: about a second before any work on this machine. `streetlight info` needs none of
it (it reads the store's manifest), and its usual forms (`info`, `info --store DIR`) need not even
Typer, whose option parsing loads pydantic (a quarter of a second more): those are printed here
directly, for a store in a folder or in a bucket. Anything else about `info` (`--help`, a wrong
option, a store that cannot be read, so that the error reads as every command's do) goes to a
one-command Typer app, and every other command line to `cli/main.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streetlight.store.location import Location


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["info"]:
        if _quick_info(args[1:]):
            return
        import typer

        from streetlight.cli.info_cmd import info_command

        app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        app.command("info")(info_command)
        app(args=args[1:], prog_name="streetlight info")
        return
    from streetlight.cli.main import main as full_command_line

    full_command_line()


def _plain_store(args: Sequence[str]) -> Location | None:
    """The store `info ARGS` names when ARGS are none, `--store WHERE` or `--store=WHERE` (a
    folder or a bucket's URL); None for anything else (left to Typer)."""
    from streetlight.store.location import default_store_location, store_location

    if not args:
        return default_store_location()
    if len(args) == 2 and args[0] == "--store" and not args[1].startswith("-"):
        return store_location(args[1])
    if len(args) == 1 and args[0].startswith("--store=") and len(args[0]) > len("--store="):
        return store_location(args[0].removeprefix("--store="))
    return None


def _quick_info(args: Sequence[str]) -> bool:
    """Print the summary of the store `info ARGS` names; False, having printed nothing, when
    ARGS are not a plain `--store` or the store cannot be read (Typer's path then reports the
    error)."""
    from streetlight.cli.printing import print_summary
    from streetlight.errors import StreetlightError
    from streetlight.store.summary import summarise_at

    try:
        store = _plain_store(args)
        if store is None:
            return False
        summary = summarise_at(store)
    except StreetlightError:
        return False
    except KeyboardInterrupt:
        sys.exit(130)
    print_summary(summary)
    return True
