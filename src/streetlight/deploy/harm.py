"""The harm weights of a patrol plan: the packaged CCHI table unless the force gives its own.

A plan places units to cover the most forecast *harm*, so `streetlight plan` and `plan-backtest`
weigh each crime by its category's harm weight by default: `cchi`, the Cambridge Crime Harm Index
days per data.police.uk category that ship with Streetlight (`hotspots.harm`), whose source and
caveats are said wherever its weights are used. A force's own TOML table
(`data/harm/template.toml`) replaces it; `none` counts every crime as 1, as plans did before.

The weights enter a plan three times, always the same table: the forecast (`make_forecast`'s
`harm`), the shift shares of harm (`deploy.plan.shift_profile`) and, in a plan backtest, the
held-out crimes the plans are scored on (`deploy.evaluation`). With one crime type (the plan's
default, violence) a table multiplies every cell by one number: the posts stay the same and only
the objective's unit changes (CCHI days, not crimes); the weights decide where units go when a
plan covers several crime types.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from streetlight.hotspots.harm import HarmTable, load_harm

# `--harm none`: no table, every crime counts 1 (a file of that name comes first, as for `cchi`).
NO_HARM = "none"


@dataclass(frozen=True)
class PlanHarm:
    """The harm weights a plan weighed crimes by, and how its outputs name them.

    Attributes:
        source: `cchi` (the packaged table), the table's file as given, or None: every crime
            counts 1. The plan's JSON records it as `harm_table`.
        table: the weights; None when `source` is.
    """

    source: str | None = None
    table: HarmTable | None = None

    @classmethod
    def load(cls, source: str | Path | None) -> PlanHarm:
        """The table `source` names (`hotspots.harm.load_harm`: `cchi` or a TOML file; its
        errors name the file and the entry); None or `none` for plain counts."""
        if source is None or (str(source) == NO_HARM and not Path(source).is_file()):
            return cls()
        return cls(str(source), load_harm(source))

    def weights(self, categories: Iterable[str]) -> dict[str, float] | None:
        """Each of `categories`' weight (`hotspots.base.EventSet.from_incidents` takes it), or
        None for plain counts."""
        return self.table.as_dict(sorted(set(categories))) if self.table is not None else None

    def describe(self) -> str:
        """What to say wherever the weights are used: the table's note when it has one (the
        packaged table's source and caveats), else which table, or that crimes count 1 each."""
        if self.table is None:
            return "harm weights: none, every crime counts 1"
        return self.table.note or f"harm weights: {self.source}"
