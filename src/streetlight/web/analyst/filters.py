"""What an analyst asked to see, from the query string: status, factor, time band and page.

Shared by the queue, the map's layers and the exports, so a link from one to another keeps the
same selection. Unknown values are ignored rather than refused: a stale bookmark still opens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from streetlight.db import audit
from streetlight.reports.categories import FACTORS, TIME_BANDS, Factor, ReportStatus

ALL_STATUSES = "all"
_DIGITS = re.compile(r"[0-9]{1,9}")


def whole(text: str) -> int | None:
    """A small whole number written in ASCII digits, else None (`str.isdigit` takes "²")."""
    return int(text) if _DIGITS.fullmatch(text) else None


@dataclass(frozen=True)
class Filters:
    """What the analyst asked to see (`status` None: every status; `page` from 1)."""

    status: ReportStatus | None = ReportStatus.PENDING
    factor: Factor | None = None
    band: int | None = None
    page: int = 1

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Filters:
        raw_status = params.get("status", "")
        status: ReportStatus | None = ReportStatus.PENDING
        if raw_status == ALL_STATUSES:
            status = None
        elif raw_status in {s.value for s in ReportStatus}:
            status = ReportStatus(raw_status)
        raw_factor = params.get("factor", "")
        factor = Factor(raw_factor) if raw_factor in {f.value for f in FACTORS} else None
        band = whole(params.get("band", ""))
        page = whole(params.get("page", ""))
        return cls(
            status,
            factor,
            band if band in TIME_BANDS else None,
            page if page is not None and 0 < page < 100_000 else 1,
        )

    @property
    def status_value(self) -> str:
        return self.status.value if self.status is not None else ALL_STATUSES

    @property
    def factor_value(self) -> str:
        return self.factor.value if self.factor is not None else ""

    @property
    def factors(self) -> list[Factor] | None:
        return [self.factor] if self.factor is not None else None

    @property
    def bands(self) -> list[int] | None:
        return [self.band] if self.band is not None else None

    def params(self, *, page: int | None = None) -> dict[str, str]:
        params = {"status": self.status_value}
        if self.factor is not None:
            params["factor"] = self.factor.value
        if self.band is not None:
            params["band"] = str(self.band)
        params["page"] = str(page if page is not None else self.page)
        return params

    def layer_params(self) -> dict[str, str]:
        """What the map's layers and exports take: factor and band only."""
        params = self.params()
        return {k: v for k, v in params.items() if k in ("factor", "band")}

    def layer_details(self) -> dict[str, audit.JSONValue]:
        """What an audit row of a layer or export records: factor and band only."""
        return {"factor": self.factor_value or None, "band": self.band}

    def audit_details(self) -> dict[str, audit.JSONValue]:
        return {
            "status": self.status_value,
            "factor": self.factor_value or None,
            "band": self.band,
            "page": self.page,
        }
