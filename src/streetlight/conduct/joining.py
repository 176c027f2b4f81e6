"""Joining up reports about one officer, and escalating when independent ones accumulate.

The officer who murdered Sarah Everard had earlier reports of indecent exposure against him that
were never put together. Here reports are connected when they concern the same officer: named
by warrant number, found through the reference of a verification the reporter made on /verify,
or linked by a handler who recognises the same man in two descriptions. A connected set is one
*case*. When a case holds at least `threshold` independent reports within `years` (default 2 in
5), it escalates to a senior recipient with its whole history, whoever handled the earlier ones.

*Independent* means from different sources: two messages from one reporter (one receipt) are one
report; a handler may mark two reports as the same source (one person reporting twice), and
then they count once. Pure: plain records in, cases out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Concern:
    """One report as joining sees it: when it came, which officer it concerns when known (by
    warrant number or a verification), and its source (a handler's same-source mark; by default
    the report is its own source)."""

    report: int
    received: datetime
    officer: int | None = None
    source: int | None = None

    @property
    def source_key(self) -> int:
        return self.report if self.source is None else self.source


@dataclass(frozen=True)
class Case:
    """Reports connected to one another, oldest first, and the officers they name."""

    reports: tuple[int, ...]
    officers: frozenset[int]


@dataclass(frozen=True)
class Escalation:
    """A case that reached the threshold: the independent reports within the window that did it
    (the latest window), and the whole case for its history."""

    case: Case
    within: tuple[int, ...]
    sources: int
    since: datetime
    until: datetime


class _Joined:
    """Union-find over report ids, keeping the smallest id as each set's root."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.parent = {i: i for i in ids}

    def root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cases(concerns: Sequence[Concern], links: Iterable[tuple[int, int]] = ()) -> list[Case]:
    """Reports joined by a shared officer or a handler's link (pairs of report ids); a report
    linked to nothing is a case of its own. Links to unknown reports are an error, not ignored."""
    by_report = {c.report: c for c in concerns}
    joined = _Joined(by_report)
    first_about: dict[int, int] = {}
    for c in concerns:
        if c.officer is not None:
            joined.join(first_about.setdefault(c.officer, c.report), c.report)
    for a, b in links:
        for r in (a, b):
            if r not in by_report:
                raise KeyError(f"a link names report {r}, which is not among the reports given")
        joined.join(a, b)
    groups: dict[int, list[Concern]] = {}
    for c in concerns:
        groups.setdefault(joined.root(c.report), []).append(c)
    out = []
    for members in groups.values():
        members.sort(key=lambda c: (c.received, c.report))
        officers = frozenset(c.officer for c in members if c.officer is not None)
        out.append(Case(tuple(c.report for c in members), officers))
    out.sort(key=lambda case: by_report[case.reports[0]].received)
    return out


def escalations(
    concerns: Sequence[Concern],
    links: Iterable[tuple[int, int]] = (),
    *,
    threshold: int = 2,
    years: float = 5.0,
) -> list[Escalation]:
    """The cases with at least `threshold` independent sources within any `years`-long window;
    the window reported is the latest that qualifies (the one that matters now)."""
    if threshold < 1:
        raise ValueError("the escalation threshold must be at least 1 report")
    by_report = {c.report: c for c in concerns}
    span = timedelta(days=years * DAYS_PER_YEAR)
    out = []
    for case in cases(concerns, links):
        members = [by_report[r] for r in case.reports]
        found = None
        for end in reversed(range(len(members))):
            window = [c for c in members[: end + 1] if members[end].received - c.received <= span]
            if len({c.source_key for c in window}) >= threshold:
                found = window
                break
        if found is not None:
            sources = len({c.source_key for c in found})
            out.append(
                Escalation(
                    case=case,
                    within=tuple(c.report for c in found),
                    sources=sources,
                    since=found[0].received,
                    until=found[-1].received,
                )
            )
    return out
