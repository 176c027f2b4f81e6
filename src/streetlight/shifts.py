"""The force's three patrol shifts, in local wall-clock hours.

Early 07-15, late 15-23, night 23-07: the common UK response-policing pattern. Kept in a module
that imports nothing so that light commands (reading GPS pings) need not load the forecasting
models to know them.
"""

from __future__ import annotations

SHIFTS: tuple[tuple[str, int], ...] = (("early", 7), ("late", 15), ("night", 23))
SHIFT_STARTS: dict[str, int] = dict(SHIFTS)
SHIFT_HOURS = 8
