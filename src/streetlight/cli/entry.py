"""The `streetlight` console script: `info` without loading every other command.

Building the whole command line imports every command and, through them, polars, numpy, pyproj
and the web app: about a second before any work on this machine. `streetlight info` needs none of
it (it reads the store's manifest), so it gets a one-command app of its own; every other command
line goes to `cli/main.py` as before.
"""

from __future__ import annotations

import sys

import typer


def main() -> None:
    if sys.argv[1:2] == ["info"]:
        from streetlight.cli.info_cmd import info_command

        app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        app.command("info")(info_command)
        app(args=sys.argv[2:], prog_name="streetlight info")
        return
    from streetlight.cli.main import main as full_command_line

    full_command_line()
