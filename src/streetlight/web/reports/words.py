"""The report vocabulary in the public's words (message ids, translated in the page): shared by
the report form, the receipt page, the JSON API's status text and the analyst pages, so a factor
reads the same to the person who reported it and to the analyst who reads it."""

from __future__ import annotations

from datetime import date

from streetlight.reports.categories import (
    BEHAVIOUR,
    ENVIRONMENT,
    AuditFactor,
    Factor,
    ReportStatus,
)
from streetlight.web.core.i18n import N_, Language, translator

FACTOR_LABELS: dict[Factor, str] = {
    Factor.POOR_LIGHTING: N_("Poor lighting"),
    Factor.ISOLATED: N_("Isolated or deserted"),
    Factor.NO_CCTV: N_("No CCTV"),
    Factor.HIDDEN_CORNERS: N_("Hidden corners or places to hide"),
    Factor.POOR_LAYOUT: N_("Poor layout: no clear view or way out"),
    Factor.VERBAL_HARASSMENT: N_("Verbal harassment: comments, catcalls, insults"),
    Factor.FOLLOWED: N_("Being followed"),
    Factor.INDECENT_EXPOSURE: N_("Indecent exposure"),
    Factor.INTIMIDATING_GROUP: N_("An intimidating group"),
    Factor.UNWANTED_TOUCHING: N_("Unwanted touching"),
    Factor.OTHER: N_("Something else"),
}
# The form asks the audit scores as questions (the analyst pages use short words).
AUDIT_LABELS: dict[AuditFactor, str] = {
    AuditFactor.LIGHTING: N_("Lighting: can you see clearly?"),
    AuditFactor.OPENNESS: N_("Openness: can you see what is ahead and around you?"),
    AuditFactor.VISIBILITY: N_("Visibility: could other people see you?"),
    AuditFactor.PEOPLE: N_("People: are there other people around, women among them?"),
    AuditFactor.SECURITY: N_("Security: is help nearby, such as police, guards or staff?"),
    AuditFactor.WALKWAY: N_("Walkway: is the path even, wide and clear?"),
    AuditFactor.TRANSPORT: N_("Transport: is public transport close and frequent?"),
}
SCORE_LABELS: tuple[tuple[int, str], ...] = (
    (1, N_("1 very poor")),
    (2, N_("2 poor")),
    (3, N_("3 fair")),
    (4, N_("4 good")),
    (5, N_("5 very good")),
)
STATUS_TEXT: dict[ReportStatus, str] = {
    ReportStatus.PENDING: N_("Received. An analyst has not read it yet."),
    ReportStatus.ACCEPTED: N_(
        "Read and accepted. It now counts in the force's picture of where people feel unsafe, "
        "which guides where officers patrol and what gets fixed."
    ),
    ReportStatus.MERGED: N_(
        "Read. Someone else reported the same place and time, so the two reports are counted "
        "together."
    ),
    ReportStatus.REJECTED: N_("Read, but it could not be used."),
}
FACTOR_GROUPS = (
    (N_("The place"), ENVIRONMENT),
    (N_("What someone did"), BEHAVIOUR),
)
MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip


def human_date(day: date, lang: Language) -> str:
    """`28 November 2025` / `28 novembre 2025`."""
    return f"{day.day} {translator(lang)(MONTHS[day.month - 1])} {day.year}"
