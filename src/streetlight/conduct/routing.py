"""Who receives a conduct report, and why the others do not.

The rule that matters: a report cannot be buried by the people it is about. So a report never
reaches the officer it concerns, anyone in that officer's line of command (those above them, who
answer for them, and those under them, who answer to them), or a recipient the report itself
names. A report about a professional-standards recipient goes to the oversight context, outside
the department that would otherwise handle it. A context left with nobody after the exclusions
passes the report to oversight rather than to nobody; with nobody there either, the report is
kept unrouted and says so (never dropped).

Pure: plain records in, a decision with its reasons out; the database and the web live elsewhere.
Every recipient, chosen or not, gets a reason a person can read, so a recipient can see why they
received a report and why others did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from streetlight.db.enums import ConductContext


@dataclass(frozen=True)
class Recipient:
    """Someone enrolled to receive reports of a context; `officer` is their own officer record
    when they are one (professional-standards staff usually are)."""

    id: int
    name: str
    context: ConductContext
    officer: int | None = None


@dataclass(frozen=True)
class Decision:
    recipient: Recipient
    receives: bool
    reason: str


@dataclass(frozen=True)
class Routing:
    """The context a report went to, and every recipient considered with the reason."""

    context: ConductContext
    decisions: tuple[Decision, ...]

    @property
    def recipients(self) -> tuple[Recipient, ...]:
        return tuple(d.recipient for d in self.decisions if d.receives)

    @property
    def unrouted(self) -> bool:
        """Nobody may receive it: an administrator must enrol an oversight recipient."""
        return not self.recipients


def line_of_command(officer: int, manager: Mapping[int, int | None]) -> dict[int, str]:
    """Everyone above `officer` (their manager, the manager's manager, ...) and everyone under
    them, each with how they are related. `manager` maps an officer to their line manager; a
    loop in the recorded chain (a data error) ends the walk instead of hanging it."""
    related: dict[int, str] = {}
    above, step = manager.get(officer), 1
    while above is not None and above not in related and above != officer:
        related[above] = "their line manager" if step == 1 else f"{step} levels above them"
        above, step = manager.get(above), step + 1
    reports: dict[int, list[int]] = {}
    for who, boss in manager.items():
        if boss is not None:
            reports.setdefault(boss, []).append(who)
    frontier, depth = [officer], 1
    seen = {officer, *related}
    while frontier:
        nxt = [w for boss in frontier for w in reports.get(boss, []) if w not in seen]
        for w in nxt:
            related[w] = "reports to them" if depth == 1 else f"{depth} levels under them"
            seen.add(w)
        frontier, depth = nxt, depth + 1
    return related


def _exclusion(
    recipient: Recipient,
    subjects: Sequence[int],
    command: Mapping[int, Mapping[int, str]],
    named: frozenset[int],
) -> str | None:
    if recipient.id in named:
        return "is named in the report"
    if recipient.officer is None:
        return None
    for subject in subjects:
        if recipient.officer == subject:
            return "is the officer the report is about"
        how = command[subject].get(recipient.officer)
        if how is not None:
            return f"is in the reported officer's line of command ({how})"
    return None


def route(
    context: ConductContext,
    recipients: Iterable[Recipient],
    *,
    subjects: Sequence[int] = (),
    manager: Mapping[int, int | None] | None = None,
    named: Iterable[int] = (),
) -> Routing:
    """Route a report made in `context` about the officers `subjects` (none when the reporter
    could only describe them), naming the recipients `named`."""
    everyone = list(recipients)
    chain = manager or {}
    command = {s: line_of_command(s, chain) for s in subjects}
    named_ids = frozenset(named)
    standards = {r.officer for r in everyone if r.context != ConductContext.OVERSIGHT and r.officer}
    if any(s in standards for s in subjects):
        target = ConductContext.OVERSIGHT
        elsewhere = "the report is about a professional-standards recipient: oversight handles it"
    else:
        target, elsewhere = context, ""
    decisions = _decide(target, everyone, subjects, command, named_ids, elsewhere)
    if target != ConductContext.OVERSIGHT and not any(d.receives for d in decisions):
        elsewhere = f"nobody may receive it in the {target.value} context: oversight handles it"
        target = ConductContext.OVERSIGHT
        decisions = _decide(target, everyone, subjects, command, named_ids, elsewhere)
    return Routing(target, tuple(decisions))


def _decide(
    target: ConductContext,
    everyone: Sequence[Recipient],
    subjects: Sequence[int],
    command: Mapping[int, Mapping[int, str]],
    named: frozenset[int],
    elsewhere: str,
) -> list[Decision]:
    """A decision for everyone: an exclusion first (it is the reason that matters whatever the
    context), then whether they receive `target`'s reports; `elsewhere` says why another
    context's recipients do not, when there is more to say than the context."""
    decisions = []
    for r in everyone:
        excluded = _exclusion(r, subjects, command, named)
        if excluded:
            decisions.append(Decision(r, False, excluded))
        elif r.context != target:
            why = elsewhere or f"receives {r.context.value} reports, not {target.value} ones"
            decisions.append(Decision(r, False, why))
        else:
            decisions.append(Decision(r, True, f"receives {target.value} reports"))
    return decisions
