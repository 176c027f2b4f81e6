"""What the deploy package raises: the `PlanError` group of `streetlight.errors`.

In one module because the planner's modules raise them in both directions of their imports
(settings checked in `plan`, in `optimize` and in `dosage`)."""

from __future__ import annotations

from streetlight.errors import PlanError


class PlanSettingsError(PlanError, ValueError):
    """A plan or dosage setting out of its range, or settings that together cannot be met (a
    women's-safety share larger than the posts allow)."""


class PlanInputError(PlanError):
    """The store holds nothing to plan from, or nothing to score a plan on, for the months asked."""


class SolverError(PlanError):
    """The optimiser ended without a plan (infeasible, or out of time before a first one)."""


class BriefingError(PlanError):
    """Unit briefings asked of a schedule they cannot be made from."""


class DosageInputError(PlanError):
    """A schedule or GPS pings file whose rows do not fit together (the message names the file,
    the row and the field)."""
