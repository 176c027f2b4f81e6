"""`streetlight info`: what the store holds.

Answered from the store's manifest alone, importing nothing that needs polars; `cli/entry.py`
runs the usual forms of it without building the command line at all (see there).
"""

from __future__ import annotations

from streetlight.cli.options import StoreOption, store_at
from streetlight.cli.printing import print_summary
from streetlight.cli.terminal import cli_errors
from streetlight.store.summary import summarise_at


def info_command(store: StoreOption = None) -> None:
    """Forces, months (gaps named), categories with counts, and quarantine totals."""
    with cli_errors():
        print_summary(summarise_at(store_at(store)))
