"""What every page of the analyst's desk shares: who may use it, what its pages are drawn with,
the words for statuses and scores, the page context the templates' filters need, and one audit
row per page, layer or export served (who looked at what: the filters, never a report's
content)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends
from starlette.templating import Jinja2Templates

from streetlight.db import audit
from streetlight.db.models import Role, StaffUser
from streetlight.reports.categories import (
    FACTORS,
    TIME_BANDS,
    AuditFactor,
    ReportStatus,
    band_label,
)
from streetlight.web.analyst.filters import ALL_STATUSES, Filters
from streetlight.web.core.clock import Clock
from streetlight.web.core.deps import (
    ClockDep,
    DbSession,
    SettingsDep,
    TemplatesDep,
    require_roles,
)
from streetlight.web.core.i18n import N_
from streetlight.web.core.settings import Settings
from streetlight.web.reports.street_finder import Streets, StreetsDep
from streetlight.web.reports.words import FACTOR_LABELS  # the public's words, shared

# Analysts, supervisors and admins only (403 for anyone else signed in).
Analyst = Annotated[StaffUser, Depends(require_roles(Role.ANALYST, Role.SUPERVISOR, Role.ADMIN))]


@dataclass(frozen=True)
class Desk:
    """What the desk's pages are drawn with: the templates, the clock, the settings, and the
    report area with its streets (a report is located inside it)."""

    templates: Jinja2Templates
    clock: Clock
    settings: Settings
    streets: Streets


async def _desk(
    templates: TemplatesDep, clock: ClockDep, settings: SettingsDep, streets: StreetsDep
) -> Desk:
    return Desk(templates, clock, settings, streets)


DeskDep = Annotated[Desk, Depends(_desk)]

ROLE_NAME = N_("analyst")  # base.html shows `_(user.role.value)`
# Short words for the scores (the public form asks them as questions).
AUDIT_LABELS: dict[str, str] = {
    AuditFactor.LIGHTING: N_("Lighting"),
    AuditFactor.OPENNESS: N_("Openness"),
    AuditFactor.VISIBILITY: N_("Visibility"),
    AuditFactor.PEOPLE: N_("People around"),
    AuditFactor.SECURITY: N_("Security"),
    AuditFactor.WALKWAY: N_("Walkway"),
    AuditFactor.TRANSPORT: N_("Transport"),
}
STATUS_LABELS: dict[str, str] = {
    ReportStatus.PENDING: N_("pending"),
    ReportStatus.ACCEPTED: N_("accepted"),
    ReportStatus.MERGED: N_("merged"),
    ReportStatus.REJECTED: N_("rejected as spam"),
}
STATUS_OPTIONS: tuple[tuple[str, str], ...] = (
    *((s.value, STATUS_LABELS[s]) for s in ReportStatus),
    (ALL_STATUSES, N_("all")),
)


def query(params: Mapping[str, str], lang: str) -> str:
    """A query string that keeps the page's language."""
    return urlencode({**params, "lang": lang})


def audit_view(
    db: DbSession, user: StaffUser, now: datetime, subject: str, **details: audit.JSONValue
) -> None:
    """One audit row per page, layer or export served: who looked at what (filters only)."""
    audit.append(
        db,
        actor=user.username,
        action="analyst.export" if subject.startswith("export") else "analyst.view",
        subject=subject,
        details=details,
        now=now,
    )


def page_context(filters: Filters) -> dict[str, object]:
    """What the desk's templates need for the filter bar and a report's words."""
    return {
        "filters": filters,
        "status_labels": STATUS_LABELS,
        "status_options": STATUS_OPTIONS,
        "factor_labels": FACTOR_LABELS,
        "factor_options": tuple((f.value, FACTOR_LABELS[f]) for f in FACTORS),
        "audit_labels": AUDIT_LABELS,
        "bands": TIME_BANDS,
        "band_label": band_label,
    }
