"""The kind of place at a data.police.uk snap point ("On or near Nightclub", "... Supermarket").

data.police.uk anonymises each crime to a snap point named after a street or, for some points, a
kind of place from a fixed list. Those kinds (night-time economy, transport hubs, shopping) are
where many women and girls feel unsafe and where busy-place patrols go, so they are features for
forecasts and inputs to patrol plans.
"""

from __future__ import annotations

import re

# The place kinds data.police.uk uses as snap-point names, as they appear after "On or near ".
PLACE_KINDS: tuple[str, ...] = (
    "Airport/Airfield",
    "Bus/Coach Station",
    "Conference/Exhibition Centre",
    "Further/Higher Educational Building",
    "Hospital",
    "Nightclub",
    "Park/Open Space",
    "Parking Area",
    "Pedestrian Subway",
    "Petrol Station",
    "Police Station",
    "Prison",
    "Shopping Area",
    "Sports/Recreation Area",
    "Supermarket",
    "Theatre/Concert Hall",
    "Train Station",
    "Railway Station",
)
# Named places of the same kinds ("The Cleveland Shopping Centre", "Redhill Road Shops").
_NAMED = (
    (re.compile(r"(Shopping Centre|Shopping Precinct|Shops|Retail Park)$"), "Shopping Area"),
    (re.compile(r"(Railway Station|Train Station|Station Approach)$"), "Train Station"),
    (re.compile(r"Bus Station$"), "Bus/Coach Station"),
)
_PREFIX = "On or near "
_KINDS = frozenset(PLACE_KINDS)


def place_kind(location: str | None) -> str | None:
    """The kind of place a data.police.uk location names, or None for a street or nothing."""
    if not location:
        return None
    name = location[len(_PREFIX) :] if location.startswith(_PREFIX) else location
    if name in _KINDS:
        return "Train Station" if name == "Railway Station" else name
    for pattern, kind in _NAMED:
        if pattern.search(name):
            return kind
    return None
