"""Harm weights: count a grievous assault as more than a common assault.

Crime-harm indices weight each offence by its seriousness, usually from sentencing: the Cambridge
Crime Harm Index (Sherman, Neyroud & Neyroud 2016, Policing 10(3)) and the ONS Crime Severity Score
(ONS 2016, "Research outputs: developing a Crime Severity Score for England and Wales using data
on crimes recorded by the police"). A force chooses and calibrates its own table for its own
offence codes, so Streetlight ships the mechanism and a template, not numbers of its own: the
published indices weight individual offences, and data.police.uk's broad categories mix offences
of very different harm.

The table is TOML: a `[weights]` table of category -> weight, and an optional `default` weight for
categories not listed (1.0 when absent).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from streetlight.errors import ForecastError
from streetlight.tomlfile import read_toml


class HarmTableError(ForecastError):
    """A harm-weight table that cannot be read or holds an impossible weight."""


@dataclass(frozen=True)
class HarmTable:
    weights: dict[str, float]
    default: float = 1.0

    def weight(self, category: str) -> float:
        return self.weights.get(category, self.default)

    def as_dict(self, categories: list[str]) -> dict[str, float]:
        return {c: self.weight(c) for c in categories}


def load_harm(path: str | Path) -> HarmTable:
    """Read a harm table; errors name the file and the entry."""
    p = Path(path)
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
