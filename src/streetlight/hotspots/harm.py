"""Harm weights: count a grievous assault as more than a common assault.

Crime-harm indices weight each offence by its seriousness, usually from sentencing: the Cambridge
Crime Harm Index (Sherman, Neyroud & Neyroud 2016, Policing 10(3)) and the ONS Crime Severity Score
(ONS 2016, "Research outputs: developing a Crime Severity Score for England and Wales using data
on crimes recorded by the police"). A force chooses and calibrates its own table for its own
offence codes, so Streetlight ships the mechanism, a template, and one default for a force that
has no table yet: `cchi`, CCHI days per data.police.uk category (`cchi.toml` beside this module,
with its provenance). Its caveats go with it (`HarmTable.note`): data.police.uk's broad
categories mix offences of very different harm, and a median hides the tail.

The table is TOML: a `[weights]` table of category -> weight, and an optional `default` weight for
categories not listed (1.0 when absent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from streetlight.errors import ForecastError
from streetlight.tomlfile import read_toml


class HarmTableError(ForecastError):
    """A harm-weight table that cannot be read or holds an impossible weight."""


# The packaged default (`--harm cchi`) and what must be said wherever it is used.
CCHI = "cchi"
CCHI_FILE = Path(__file__).resolve().parent / "cchi.toml"
CCHI_NOTE = (
    "Harm weights: Cambridge Crime Harm Index days per data.police.uk category (CCHI 2026; "
    "category means of subgroup medians derived by isthisben/cbl-realcrime, not Cambridge's "
    "own). Medians hide the tail (violence without injury: 10 days by median, 437 by mean); "
    "drugs and weapons counts reflect police activity; the weights are the force's choice: "
    "give its own table with --harm FILE."
)


@dataclass(frozen=True)
class HarmTable:
    """`note`: what must be said wherever the weights are used (the default table's caveats)."""

    weights: dict[str, float]
    default: float = 1.0
    note: str = ""

    def weight(self, category: str) -> float:
        return self.weights.get(category, self.default)

    def as_dict(self, categories: list[str]) -> dict[str, float]:
        return {c: self.weight(c) for c in categories}


def load_harm(path: str | Path) -> HarmTable:
    """Read a harm table, or the packaged default for `cchi` (a file of that name comes first);
    errors name the file and the entry."""
    p = Path(path)
    if str(path) == CCHI and not p.is_file():
        return replace(_read(CCHI_FILE), note=CCHI_NOTE)
    return _read(p)


def _read(p: Path) -> HarmTable:
    data = read_toml(p, "harm table", HarmTableError)
    table = data.get("weights")
    if not isinstance(table, dict):
        raise HarmTableError(f"{p}: needs a [weights] table of category = weight")
    weights: dict[str, float] = {}
    for category, value in table.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise HarmTableError(
                f"{p}: weight of {category!r} must be a number >= 0, not {value!r}"
            )
        weights[category] = float(value)
    default = data.get("default", 1.0)
    if not isinstance(default, int | float) or default < 0:
        raise HarmTableError(f"{p}: default must be a number >= 0, not {default!r}")
    return HarmTable(weights, float(default))


def harm_or_default(
    table: HarmTable | None, categories: Sequence[str]
) -> tuple[HarmTable | None, str]:
    """The harm table to weigh crimes by, and what must be said of it: the force's own when
    given, else the CCHI default when it weighs every one of `categories` (a category it does
    not know would silently weigh its default, 1 day, beside others weighing hundreds), else none,
    with the reason."""
    if table is not None:
        return table, table.note
    cchi = load_harm(CCHI)
    missing = [c for c in categories if c not in cchi.weights]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        return None, (
            f"No harm PEI: the default harm table (CCHI, per data.police.uk category) has no "
            f"weight for {names}; give the force's own table with --harm FILE."
        )
    return cchi, cchi.note
