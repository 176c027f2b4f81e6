"""The rankings' weights, read from files a force can replace: CCHI days per offence subgroup (a
CSV, `harm.read_subgroup_harm`; the packaged table by default) and the `rfgv` points (a TOML file,
`rfgv.toml` beside this module by default, which documents each key).

Weights are a policy choice of the force, not a fact: they live in files that can be read,
reviewed and swapped, and every error names the file and the row or key to fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streetlight.tomlfile import read_toml
from streetlight.unit.errors import WeightsError
from streetlight.unit.harm import SUBGROUP_HARM, SubgroupHarm, read_subgroup_harm

RFGV_WEIGHTS = Path(__file__).resolve().parent / "rfgv.toml"


@dataclass(frozen=True)
class HarmWeights:
    """CCHI days per subgroup (`table[subgroup].median_days` is the weight) and the file they
    came from, which errors and explanations name."""

    table: Mapping[str, SubgroupHarm]
    source: Path

    def days(self, subgroup: str) -> float | None:
        found = self.table.get(subgroup)
        return None if found is None else found.median_days


def read_harm_weights(path: Path = SUBGROUP_HARM) -> HarmWeights:
    """The CCHI days in `path` (columns as the packaged `cchi_subgroups.csv`)."""
    return HarmWeights(read_subgroup_harm(path), path)


@dataclass(frozen=True)
class Band:
    """`points` for a most recent record under `within_days` old (whole days)."""

    within_days: int
    points: float


@dataclass(frozen=True)
class RfgvWeights:
    """The `rfgv` ranking's parameters (see `rfgv.toml` for what each means)."""

    window_days: int
    min_records: int
    min_victims: int
    bands: tuple[Band, ...]  # by `within_days`, shortest first
    points_per_record: float
    points_per_cchi_day: float
    points_per_victim: float
    source: Path

    def recency_points(self, age_days: int) -> float:
        for band in self.bands:
            if age_days < band.within_days:
                return band.points
        return 0.0


def read_rfgv_weights(path: Path = RFGV_WEIGHTS) -> RfgvWeights:
    """The `rfgv` weights in `path`; `WeightsError` naming the file and key when one is missing
    or not a number of the right kind."""
    data = read_toml(path, "rfgv weights file", WeightsError)

    def table(key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise WeightsError(f"{path}: [{key}] is missing")
        return value

    def whole(where: str, value: Any, least: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise WeightsError(f"{path}: {where}: needs a whole number >= {least}")
        return value

    def points(where: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WeightsError(f"{path}: {where}: needs a number >= 0")
        if not math.isfinite(value) or value < 0:
            raise WeightsError(f"{path}: {where}: needs a number >= 0")
        return float(value)

    eligibility, recency = table("eligibility"), table("recency")
    raw_bands = recency.get("bands")
    if not isinstance(raw_bands, list):
        raise WeightsError(f"{path}: recency.bands: needs a list of {{within_days, points}}")
    bands = []
    for i, band in enumerate(raw_bands):
        where = f"recency.bands[{i}]"
        if not isinstance(band, dict):
            raise WeightsError(f"{path}: {where}: needs {{within_days, points}}")
        bands.append(
            Band(
                whole(f"{where}.within_days", band.get("within_days"), 1),
                points(f"{where}.points", band.get("points")),
            )
        )
    window = whole("window_days", data.get("window_days"), 1)
    return RfgvWeights(
        window_days=window,
        min_records=whole("eligibility.min_records", eligibility.get("min_records"), 1),
        min_victims=whole("eligibility.min_victims", eligibility.get("min_victims"), 0),
        bands=tuple(sorted(bands, key=lambda b: b.within_days)),
        points_per_record=points(
            "frequency.points_per_record", table("frequency").get("points_per_record")
        ),
        points_per_cchi_day=points(
            "gravity.points_per_cchi_day", table("gravity").get("points_per_cchi_day")
        ),
        points_per_victim=points(
            "victims.points_per_victim", table("victims").get("points_per_victim")
        ),
        source=path,
    )
