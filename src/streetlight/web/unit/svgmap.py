"""The person page's small map: their offences' points drawn as an inline SVG, scaled into a box.

No tiles, no script and no request to anyone: the points are metres east and north in the force's
projected CRS (as imported), so an equal scale on both axes keeps distances true, with a scale bar
to read them by. Presentation attributes only (`cx`, `r`, classes): the CSP allows no inline
style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from streetlight.unit.casework import MapPoint

WIDTH, HEIGHT, MARGIN = 320, 220, 18
# The least ground a map spans, in metres: points a few metres apart are not drawn as if miles.
MIN_SPAN_M = 400.0
NICE_METRES = (25, 50, 100, 200, 250, 500, 1_000, 2_000, 2_500, 5_000, 10_000, 20_000, 50_000)


@dataclass(frozen=True)
class Dot:
    """A point in the box's pixels (y down), with the person's part and the offence's ref."""

    cx: float
    cy: float
    role: str
    offence_ref: str


@dataclass(frozen=True)
class OffenceMap:
    """What the template draws: the box, the dots, and a scale bar `bar_px` long for
    `bar_metres` of ground."""

    width: int
    height: int
    dots: tuple[Dot, ...]
    bar_px: float
    bar_metres: int


def offence_map(points: Sequence[MapPoint]) -> OffenceMap | None:
    """The points scaled into a `WIDTH` x `HEIGHT` box, north up (None when there are none)."""
    if not points:
        return None
    xs, ys = [p.x for p in points], [p.y for p in points]
    span_x = max(max(xs) - min(xs), MIN_SPAN_M)
    span_y = max(max(ys) - min(ys), MIN_SPAN_M)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)  # px per metre
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    dots = tuple(
        Dot(
            cx=round(WIDTH / 2 + (p.x - mid_x) * scale, 1),
            cy=round(HEIGHT / 2 - (p.y - mid_y) * scale, 1),
            role=p.role.value,
            offence_ref=p.offence_ref,
        )
        for p in points
    )
    room = (WIDTH - 2 * MARGIN) / 3 / scale  # metres a third of the box shows
    metres = max((m for m in NICE_METRES if m <= room), default=NICE_METRES[0])
    return OffenceMap(WIDTH, HEIGHT, dots, round(metres * scale, 1), metres)
