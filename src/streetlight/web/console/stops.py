"""The console's state arranged as an operator reads it: one card per stop (an engagement with
its backup, the public's checks of it and their chat), and failed checks folded so that a burst
of the same failure is one line.

Plain functions over the state the console already reads (`streetlight.verify.console`): no
query of their own, so the page and its live redraw show the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from streetlight.db.models import BackupRequest, Chat, Engagement, Verification
from streetlight.verify.console import ConsoleState


@dataclass(frozen=True)
class Stop:
    """An engagement and everything about it the console holds, newest first. With no
    `engagement`: what belongs to no stop on the console (its engagement is older than the
    console's window), still shown, under the stops."""

    engagement: Engagement | None
    backups: list[BackupRequest] = field(default_factory=list)
    checks: list[Verification] = field(default_factory=list)
    chats: list[Chat] = field(default_factory=list)


@dataclass(frozen=True)
class AlertGroup:
    """Failed checks of one warrant number with one outcome and no shared location, newest
    first; a check with a shared location is a group of its own (someone says where they are)."""

    alerts: list[Verification]

    @property
    def newest(self) -> Verification:
        return self.alerts[0]

    @property
    def oldest(self) -> Verification:
        return self.alerts[-1]


def by_stop(state: ConsoleState) -> tuple[list[Stop], Stop]:
    """The stops of `state`, in its engagements' order, each with its backups, confirmed checks
    and chats; and what has no stop on the console."""
    # Keyed as the rows refer to engagements: a check of no stop refers to None.
    stops: dict[int | None, Stop] = {e.id: Stop(e) for e in state.engagements}
    rest = Stop(None)
    for backup in state.backups:
        stops.get(backup.engagement_id, rest).backups.append(backup)
    for check in state.verifications:
        stops.get(check.engagement_id, rest).checks.append(check)
    for chat in state.chats:
        stops.get(chat.verification.engagement_id, rest).chats.append(chat)
    return list(stops.values()), rest


def folded(alerts: Sequence[Verification]) -> list[AlertGroup]:
    """`alerts` (newest first) folded by warrant number and outcome, in the order of each
    group's newest; those with a shared location stay one by one."""
    groups: dict[tuple[str, str] | int, list[Verification]] = defaultdict(list)
    for alert in alerts:
        key = alert.id if alert.shared_at else (alert.warrant_number, alert.outcome.value)
        groups[key].append(alert)
    return [AlertGroup(members) for members in groups.values()]
