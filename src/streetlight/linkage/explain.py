"""One pair of crimes' evidence in words, for the people who decide what to do with a linkage
result: "2.1 km apart, 3 days apart, same time of day (within 1 hour), same offence type
(Stalking and harassment)".

Why words: a score is a prompt for a human decision, and a reviewer can check a sentence against
the two crime reports; a log Bayes factor alone they cannot. Every number is the evidence
variable itself (`linkage.evidence.Evidence`), rounded as stated below, so anyone can recompute
it from the two crimes:

- place: straight-line distance; under 1 km to the nearest 10 m ("350 m apart", "under 10 m
  apart" below 5 m), else to the nearest 0.1 km ("2.1 km apart");
- time: the expected absolute difference in days (a window is any moment of it, equally likely);
  under 1 day "less than a day apart", else to the nearest whole day ("3 days apart"). When
  either crime is known only within a window longer than `WIDE_DAYS`, the longer window is said
  too ("known only within a 5-day window"), its length rounded up to whole days;
- time of day: the expected circular difference in hours, said only when both windows are at
  most `TOD_WINDOW_HOURS` long (otherwise "time of day not known closely"); within 1 hour "same
  time of day (within 1 hour)", else to the nearest hour ("6 hours apart in the day");
- day of the week: the expected circular difference in days, said only when both windows are
  under `DOW_WINDOW_DAYS` days (otherwise left out: nothing to say); under half a day "same day
  of the week", else to the nearest day ("2 days apart in the week");
- each categorical variable, by its label and the two crimes' levels (from the crime table):
  "same offence type (Stalking and harassment)", "different relationship (partner / stranger)",
  or "relationship not recorded for one" when either is unknown.

Rounding is half up (2.5 days is "3 days apart"). English only: the staff pages are English.
Pure: plain data in, words out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import Evidence

WIDE_DAYS = 1.0  # a window longer than a day is said with the time difference
TOD_WINDOW_HOURS = 6.0  # past this, a window says little about the time of day
DOW_WINDOW_DAYS = 1.0  # past this, a window says little about the day of the week


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def distance_words(metres: float) -> str:
    """ "350 m apart", "2.1 km apart" (see the module's rounding)."""
    if metres < 5:
        return "under 10 m apart"
    if metres < 995:  # 995 m rounds to 1,000 m: said in km
        return f"{_half_up(metres / 10) * 10} m apart"
    return f"{_half_up(metres / 100) / 10:.1f} km apart"


def time_words(days: float, widest_days: float) -> str:
    """The expected difference in days, with the widest window when it is wide."""
    text = (
        "less than a day apart" if days < 1 else f"{_plural(_half_up(days), 'day', 'days')} apart"
    )
    if widest_days > WIDE_DAYS:
        width = math.ceil(widest_days - 1e-9)
        text += f" (one known only within a {width}-day window)"
    return text


def time_of_day_words(hours: float, widest_hours: float) -> str:
    if widest_hours > TOD_WINDOW_HOURS:
        return "time of day not known closely"
    if hours <= 1:
        return "same time of day (within 1 hour)"
    return f"{_plural(_half_up(hours), 'hour', 'hours')} apart in the day"


def day_of_week_words(days: float, widest_days: float) -> str | None:
    if widest_days >= DOW_WINDOW_DAYS:
        return None
    if days < 0.5:
        return "same day of the week"
    return f"{_plural(_half_up(days), 'day', 'days')} apart in the week"


def categorical_words(label: str, match: float, first: str | None, second: str | None) -> str:
    """`match` 1 same, 0 different, NaN unknown (as `Evidence.categorical`)."""
    if np.isnan(match) or first is None or second is None:
        return f"{label} not recorded for one"
    if match == 1.0:
        return f"same {label} ({first})"
    return f"different {label} ({first} / {second})"


def strength_words(log_bf: float) -> str:
    """A log Bayes factor (natural log) in words, on Kass and Raftery's scale (1995, "Bayes
    factors", JASA 90(430), their table on 2 ln B halved): below 0 the evidence points away
    from a link; 0 to 1 "weak", 1 to 3 "positive", 3 to 5 "strong", 5 and over "very strong"."""
    if log_bf < 0:
        return "against a link"
    if log_bf < 1:
        return "weak"
    if log_bf < 3:
        return "positive"
    if log_bf < 5:
        return "strong"
    return "very strong"


@dataclass(frozen=True)
class Breakdown:
    """A pair's evidence as phrases, in a fixed order: place, time, time of day, day of the week
    (when said), then each categorical variable in the crime table's order."""

    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(self.parts)


def _level(crimes: CrimeTable, name: str, row: int) -> str | None:
    code = int(crimes.categorical[name][row])
    return None if code < 0 else crimes.levels[name][code]


def explain(
    crimes: CrimeTable,
    evidence: Evidence,
    k: int,
    *,
    labels: Mapping[str, str] | None = None,
) -> Breakdown:
    """The words for pair `k` of `evidence` (computed on `crimes`); `labels` names each
    categorical variable ("subgroup": "offence type"), the column's name with its underscores as
    spaces where none is given."""
    i, j = int(evidence.i[k]), int(evidence.j[k])
    widths = (crimes.t_to[[i, j]] - crimes.t_from[[i, j]]).astype("timedelta64[m]")
    widest = float(widths.astype(np.float64).max()) / 1440.0
    parts = [
        distance_words(float(evidence.spatial[k])),
        time_words(float(evidence.temporal[k]), widest),
        time_of_day_words(float(evidence.tod[k]), widest * 24),
    ]
    if (dow := day_of_week_words(float(evidence.dow[k]), widest)) is not None:
        parts.append(dow)
    names = labels or {}
    for name, match in evidence.categorical.items():
        label = names.get(name, name.replace("_", " "))
        parts.append(
            categorical_words(
                label, float(match[k]), _level(crimes, name, i), _level(crimes, name, j)
            )
        )
    return Breakdown(tuple(parts))
