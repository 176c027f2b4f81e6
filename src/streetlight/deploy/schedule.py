"""Visit schedules: short, irregular stops at the hot cells of each unit's beat.

Koper (1995, "Just enough police presence: reducing crime and disorderly behavior by optimizing
patrol time in crime hot spots", Justice Quarterly 12(4)) found stops of about 10-16 minutes,
revisited at unpredictable intervals, deter longest per minute spent. Each unit's beat is the
cells its post covers that hold forecast harm; the schedule walks them in a random order (seeded,
so a plan can be reproduced), dwelling 10-16 minutes at each and walking between them in straight
lines at `walking_speed`, until the shift ends. A new round starts when every beat cell has been
visited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Visit:
    unit: str
    order: int
    cell: int  # study-area index
    arrive: datetime
    leave: datetime
    walk_minutes: float


def unit_schedule(
    unit: str,
    beat: NDArray[np.int64],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    start: datetime,
    hours: float,
    rng: np.random.Generator,
    *,
    dwell: tuple[float, float] = (10.0, 16.0),
    walking_speed: float = 4.5,
    walk_metres: NDArray[np.float64] | None = None,
) -> list[Visit]:
    """Visits of one unit over a shift of `hours` from `start` (dwell in minutes, speed km/h).

    `walk_metres[a, b]` is the walk from `beat[a]` to `beat[b]` (along streets, `deploy.streets`);
    straight lines without it."""
    if len(beat) == 0:
        return []
    end = start + timedelta(hours=hours)
    visits: list[Visit] = []
    now, here, order = start, None, 0
    metres_per_minute = walking_speed * 1000 / 60
    position = {int(cell): k for k, cell in enumerate(beat)}
    while True:
        round_ = rng.permutation(beat)
        if here is not None and len(round_) > 1 and round_[0] == here:
            round_ = np.roll(round_, -1)  # never "move on" to the stop the unit is standing at
        for cell in round_:
            if here is None:
                walk = 0.0
            elif walk_metres is not None:
                walk = float(walk_metres[position[here], position[int(cell)]])
            else:
                walk = float(np.hypot(x[cell] - x[here], y[cell] - y[here]))
            walk_minutes = walk / metres_per_minute
            arrive = now + timedelta(minutes=walk_minutes)
            leave = arrive + timedelta(minutes=float(rng.uniform(*dwell)))
            if leave > end:
                return visits
            order += 1
            visits.append(Visit(unit, order, int(cell), arrive, leave, round(walk_minutes, 1)))
            now, here = leave, int(cell)
