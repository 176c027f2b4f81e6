"""A self-exciting point process on the grid: crime begets crime nearby, soon after.

This is the grid form of the epidemic-type aftershock (ETAS) / Hawkes model used for predictive
policing by Mohler et al. 2011 ("Self-exciting point process modeling of crime", JASA 106(493))
and in the field trials of Mohler et al. 2015 ("Randomized controlled field trials of predictive
policing", JASA 110(512)). In each study-area cell c the conditional intensity, in events per
day, is

    lambda_c(t) = mu_c + sum_{k: cell_k = c, 0 < t - t_k <= L} theta * omega * exp(-omega (t - t_k))

with a background rate mu_c (events per day), a branching ratio theta (expected direct offspring
of one event, dimensionless) and a decay omega (per day; 1 / omega is the mean delay of a repeat).
Unlike the papers the kernel is truncated at L = `max_lag_days`: the truncation is what lets the
fit build its list of (earlier, later) event pairs once, and it is part of the model rather than
an approximation of it, so the log-likelihood, the EM updates and the forecast all use the same
truncated kernel (with L = 60 days and omega >= 0.2 / day the truncated mass is below 1e-5).

The fit is expectation-maximisation on the events of the training window [T0, T1) (days):

- E-step: for event k in cell c, the probability it is background, p_kk = mu_c / lambda_c(t_k),
  and that earlier event l triggered it, p_lk = theta omega exp(-omega (t_k - t_l)) / lambda_c(t_k).
- M-step: mu_c = sum_{k in c} p_kk / (T1 - T0);
  theta = S / A(omega), the compensator-corrected form, where S = sum p_lk and
  A(omega) = sum_l (1 - exp(-omega min(T1 - t_l, L))) is what the events' offspring kernels
  integrate to inside the window (Mohler 2015 divides by the number of events N instead, which
  ignores that late events have not had time to trigger anything);
  omega solves the stationarity equation S / omega - D - S A'(omega) / A(omega) = 0 with
  D = sum p_lk (t_k - t_l). Far from the window edges A' -> 0 and this is the papers' closed form
  omega = S / D; near them the closed form and the corrected theta do not jointly maximise the
  expected complete-data log-likelihood, and the log-likelihood can then go down between
  iterations. The equation's left side decreases in omega (the profile log-likelihood is concave:
  A(omega) / omega is a Laplace transform, hence log-convex), so one bracketed root search (a
  few dozen sums over the last L days' events) gives the exact M-step, and the log-likelihood
  never decreases (on simulated data the closed forms lower it by up to ~1e-3 near convergence).

The background. Left free, mu_c is estimated per cell from the training window alone (the
papers' form), which at 150 m holds a handful of events per cell: a noisier spatial rate than
the long-window exponentially weighted count (`ew-12`) that forecasts shifts best on its own. So
by default mu_c = beta b_c with the shape b fixed to the `ew-H` count at the forecast start
(H = `background_half_life` months; every cell with a training event has b_c > 0 because the
count looks back further than the window) and only the scale beta fitted: the M-step
beta = sum_k p_kk / (T1 - T0) with b summing to 1, still an exact maximisation, so EM stays
monotone. With theta = 0 the forecast then ranks cells exactly as `ew-H`: self-excitation is
tested against the strongest simple baseline, not against a weaker background of its own.

Guards: omega is kept in [1 / min(L, T1 - T0), OMEGA_MAX] (a mean delay longer than the lag window
cannot be told from the background; one shorter than a minute is recording noise, and near-duplicate
records would otherwise pull omega towards 1 / their gap); theta is kept in [0, THETA_MAX] so
the process stays subcritical (theta -> 1 means every event is explained by its predecessors and
the forecast would grow without bound). When theta is clipped the M-step maximises over omega
with theta fixed at THETA_MAX, and keeps the previous (theta, omega) if that does not improve the
expected complete-data log-likelihood (a generalised EM step, still monotone).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from datetime import date, datetime
from typing import Self

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from streetlight.errors import ForecastError
from streetlight.hotspots.base import (
    EventSet,
    FloatArray,
    HotspotModel,
    IntArray,
    StudyArea,
    start_day,
)
from streetlight.hotspots.counting import DAYS_PER_MONTH, ExponentialCount

THETA_MAX = 0.99
"""Largest branching ratio the fit allows (dimensionless; below 1 keeps the process subcritical)."""

OMEGA_MAX = 1440.0
"""Largest decay the fit allows, per day (a mean delay of one minute)."""

MAX_PAIRS = 30_000_000
"""Most (earlier, later) event pairs the fit will hold in memory (about 24 bytes each)."""


class NoDateTimesError(ForecastError, ValueError):
    """The events carry only months, but a self-exciting process needs date-times."""


@dataclass(frozen=True)
class _Window:
    """Training events of one window, sorted by cell then time, with their within-lag pairs.

    `src[p]` is the earlier and `dst[p]` the later event of pair p (same cell,
    0 < lag[p] = day[dst] - day[src] <= max_lag days). Event l's kernel acts for
    min(end - day[l], max_lag) days inside the window: the full lag for `n_full` events and
    `reach` days for the others (the last max_lag days' events), kept apart because the M-step
    sums over them a few dozen times per iteration.
    """

    cell: IntArray
    day: FloatArray
    src: IntArray
    dst: IntArray
    lag: FloatArray
    reach: FloatArray
    n_full: int
    max_lag: float
    n_cells: int
    duration: float
    omega_min: float


def _window(
    day: FloatArray, cell: IntArray, n_cells: int, start: float, end: float, max_lag: float
) -> _Window:
    order = np.lexsort((day, cell))
    c = cell[order]
    t = day[order]
    n = len(t)
    duration = end - start
    if n:
        # Candidate pairs come from a searchsorted on one composite key, cell * stride + time,
        # whose cell blocks are further apart than any lag; a small margin absorbs its rounding and
        # the exact test below decides. The search uses the lag capped at the data's span, so an
        # infinite max_lag still searches within cells.
        t0 = float(t.min())
        span = float(t.max()) - t0
        lag_cap = min(max_lag, span)
        stride = span + lag_cap + 1.0
        key = c.astype(np.float64) * stride + (t - t0)
        margin = 1e-9 * max(1.0, float(np.abs(key).max()))
        lo = np.searchsorted(key, key - lag_cap - margin, side="left")
        hi = np.searchsorted(key, key + margin, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if total > MAX_PAIRS:
            raise ValueError(
                f"max_lag_days={max_lag!r} gives {total:,} candidate event pairs (limit "
                f"{MAX_PAIRS:,}): use a shorter max_lag_days, a shorter window_days or smaller cells"
            )
        dst = np.repeat(np.arange(n, dtype=np.int64), counts)
        first = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        src = np.arange(total, dtype=np.int64) + first
        lag = t[dst] - t[src]
        keep = (c[src] == c[dst]) & (lag > 0) & (lag <= max_lag)
        src, dst, lag = src[keep], dst[keep], lag[keep]
    else:
        src = dst = np.zeros(0, dtype=np.int64)
        lag = np.zeros(0)
    return _Window(
        cell=c,
        day=t,
        src=src,
        dst=dst,
        lag=lag,
        reach=(end - t)[end - t < max_lag],
        n_full=int(np.count_nonzero(end - t >= max_lag)),
        max_lag=max_lag,
        n_cells=n_cells,
        duration=duration,
        omega_min=1.0 / min(max_lag, duration),
    )


def _compensator(w: _Window, omega: float) -> tuple[float, float]:
    """A(omega) = sum_l (1 - exp(-omega min(end - t_l, L))) and its derivative A'(omega) (days)."""
    # expm1 keeps 1 - exp(-x) accurate for events just before the window's end.
    m = np.expm1(-omega * w.reach)
    a = -float(m.sum())
    da = float((w.reach * (1.0 + m)).sum())
    if w.n_full:
        m_full = math.expm1(-omega * w.max_lag)
        a -= w.n_full * m_full
        da += w.n_full * w.max_lag * (1.0 + m_full)
    return a, da


def _e_step(
    w: _Window, mu: FloatArray, theta: float, omega: float
) -> tuple[float, FloatArray, FloatArray]:
    """Log-likelihood at (mu, theta, omega), and p_kk per event and p_lk per pair."""
    trig = theta * omega * np.exp(-omega * w.lag)
    background = mu[w.cell]
    lam = background + np.bincount(w.dst, weights=trig, minlength=len(w.cell))
    with np.errstate(divide="ignore", invalid="ignore"):
        # lambda = 0 at an event only for parameters that make it impossible (mu_c = 0 and no
        # trigger): its log-likelihood is then -inf, which is the right answer.
        loglik = float(np.log(lam).sum())
        p_bg = background / lam
        p_pair = trig / lam[w.dst]
    loglik -= w.duration * float(mu.sum()) + theta * _compensator(w, omega)[0]
    return loglik, p_bg, p_pair


def _m_step(
    w: _Window,
    p_bg: FloatArray,
    p_pair: FloatArray,
    theta: float,
    omega: float,
    shape: FloatArray | None = None,
) -> tuple[FloatArray, float, float]:
    """The parameters maximising the expected complete-data log-likelihood (module docstring);
    with `shape` (summing to 1) the background is that shape times a fitted scale."""
    if shape is None:
        mu = np.bincount(w.cell, weights=p_bg, minlength=w.n_cells) / w.duration
    else:
        mu = shape * (float(p_bg.sum()) / w.duration)
    s = float(p_pair.sum())
    if not s > 0.0:
        # No event is attributed to a trigger: theta = 0 is the maximum and omega is unidentified,
        # so it stays where it was.
        return mu, 0.0, omega
    d = float((p_pair * w.lag).sum())
    lo, hi = w.omega_min, OMEGA_MAX

    def slope(om: float) -> float:
        a, da = _compensator(w, om)
        return s / om - d - s * da / a

    def q(th: float, om: float) -> float:
        # The (theta, omega) part of the expected complete-data log-likelihood.
        if th <= 0.0:
            return -math.inf
        return s * math.log(th) + s * math.log(om) - om * d - th * _compensator(w, om)[0]

    # The slope at the closed form S / D is -S A'/A < 0, so the root lies below it: a tight bracket.
    top = min(hi, s / d) if d > 0.0 else hi
    if top <= lo or slope(lo) <= 0.0:
        new_omega = lo
    elif slope(top) >= 0.0:
        new_omega = top
    else:
        new_omega = float(brentq(slope, lo, top, xtol=1e-14, rtol=1e-13, maxiter=500))
    new_theta = s / _compensator(w, new_omega)[0]
    if new_theta > THETA_MAX:
        new_theta = THETA_MAX
        best = minimize_scalar(
            lambda om: -q(THETA_MAX, om),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-10},
        )
        new_omega = float(best.x)
        if q(new_theta, new_omega) < q(theta, omega):
            new_theta, new_omega = theta, omega
    return mu, new_theta, new_omega


def _check_events(day: FloatArray, cell: IntArray, n_cells: int, start: float, end: float) -> None:
    if len(day) != len(cell):
        raise ValueError(f"day has {len(day)} values but cell has {len(cell)}")
    if len(cell) and (int(cell.min()) < 0 or int(cell.max()) >= n_cells):
        raise ValueError(f"cell indexes must lie in [0, {n_cells}) (the study area's cells)")
    if len(day) and not (np.all(day >= start) and np.all(day < end)):
        raise ValueError(f"every event day must lie in the window [{start!r}, {end!r})")


def grid_hawkes_loglik(
    day: FloatArray,
    cell: IntArray,
    mu: FloatArray,
    theta: float,
    omega: float,
    *,
    start: float,
    end: float,
    max_lag_days: float = 60.0,
) -> float:
    """Log-likelihood of events in [start, end) under the truncated grid Hawkes model.

    sum_k log lambda_{cell_k}(t_k) - (end - start) sum_c mu_c
    - theta sum_k (1 - exp(-omega min(end - t_k, max_lag_days))), the intensity as in the module
    docstring (Mohler et al. 2011, on a grid). Events before `start` are not modelled (the
    window starts with no history), as in the fit.

    Args:
        day: event times, days since 1970-01-01 UTC, all in [start, end).
        cell: study-area cell of each event, in [0, len(mu)).
        mu: background rate of each cell, events per day.
        theta: branching ratio (expected direct offspring per event, dimensionless).
        omega: decay of the triggering kernel, per day.
        start, end: the window, days since 1970-01-01 UTC.
        max_lag_days: the kernel's truncation, days.
    """
    _check_events(day, cell, len(mu), start, end)
    w = _window(
        np.asarray(day, dtype=np.float64),
        np.asarray(cell, dtype=np.int64),
        len(mu),
        start,
        end,
        max_lag_days,
    )
    return _e_step(w, np.asarray(mu, dtype=np.float64), theta, omega)[0]


def _positive(name: str, value: float, *, allow_inf: bool = False) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0
    if not ok or (not allow_inf and not math.isfinite(value)):
        kind = "positive number" if allow_inf else "positive finite number"
        raise ValueError(f"{name} must be a {kind} of days, not {value!r}")


class GridETAS(HotspotModel):
    """Self-exciting (Hawkes / ETAS) point process per grid cell, fitted by EM.

    Mohler et al. 2011 (JASA 106(493)); grid form as in Mohler et al. 2015 (JASA 110(512)). See
    the module docstring for the model, the EM updates and the guards on theta and omega.

    The fit uses the target events (not the context categories) that have a date-time: the model
    works in continuous time, so events known only by month are dropped. Every event counts as one,
    since the process models how many incidents happen and when; harm weights only select (events
    of weight 0, categories left out of a harm table, are dropped), so the forecast is in events,
    not harm.

    Parameters:
        window_days: length of the training window before the forecast start, days.
        horizon_days: length of the forecast period, days (30 for a month, 1/3 for a shift).
        max_lag_days: truncation of the triggering kernel, days: an event triggers only events up
            to this long after it.
        max_iter: most EM iterations.
        tol: EM stops when an iteration raises the log-likelihood by at most
            tol * (1 + |log-likelihood|) (a relative tolerance; the log-likelihood grows with N).
        theta0: starting branching ratio, in (0, THETA_MAX] (dimensionless).
        omega0: starting decay, per day, in [1 / min(max_lag_days, window_days), OMEGA_MAX].
        background_half_life: H, months: the background's shape is the `ew-H` count at the
            forecast start, its scale fitted (module docstring); None fits a free rate per cell
            from the training window (Mohler et al.).
        background_lookback: months of history the background's count uses; at least the
            training window.

    Attributes (after `fit`):
        mu_: background rate of each study-area cell, events per day.
        theta_: branching ratio, expected direct offspring per event (dimensionless).
        omega_: decay of the triggering kernel, per day (1 / omega_ is the mean delay in days).
        loglik_: log-likelihood at the starting parameters and after each EM iteration.
        n_iter_: EM iterations done (len(loglik_) - 1).
        converged_: whether the tolerance was reached before max_iter.
        start_day_: forecast start, days since 1970-01-01 UTC.
        n_events_: events in the training window.
    """

    def __init__(
        self,
        *,
        window_days: float = 365.0,
        horizon_days: float = 30.0,
        max_lag_days: float = 60.0,
        max_iter: int = 200,
        tol: float = 1e-6,
        theta0: float = 0.3,
        omega0: float = 0.2,
        background_half_life: float | None = 12.0,
        background_lookback: int = 36,
    ) -> None:
        self.window_days = window_days
        self.horizon_days = horizon_days
        self.max_lag_days = max_lag_days
        self.max_iter = max_iter
        self.tol = tol
        self.theta0 = theta0
        self.omega0 = omega0
        self.background_half_life = background_half_life
        self.background_lookback = background_lookback

    def _validate(self) -> None:
        _positive("window_days", self.window_days)
        _positive("horizon_days", self.horizon_days)
        _positive("max_lag_days", self.max_lag_days, allow_inf=True)
        if not isinstance(self.max_iter, numbers.Integral) or isinstance(self.max_iter, bool):
            raise ValueError(f"max_iter must be an integer, not {self.max_iter!r}")
        if self.max_iter < 1:
            raise ValueError(f"max_iter must be at least 1, not {self.max_iter!r}")
        if not (isinstance(self.tol, numbers.Real) and math.isfinite(self.tol) and self.tol >= 0):
            raise ValueError(f"tol must be a non-negative finite number, not {self.tol!r}")
        if not (isinstance(self.theta0, numbers.Real) and 0 < self.theta0 <= THETA_MAX):
            raise ValueError(f"theta0 must lie in (0, {THETA_MAX}], not {self.theta0!r}")
        omega_min = 1.0 / min(self.max_lag_days, self.window_days)
        if not (isinstance(self.omega0, numbers.Real) and omega_min <= self.omega0 <= OMEGA_MAX):
            raise ValueError(
                f"omega0 must lie in [1 / min(max_lag_days, window_days), {OMEGA_MAX}] per day "
                f"= [{omega_min:g}, {OMEGA_MAX:g}], not {self.omega0!r}"
            )
        if self.background_half_life is not None:
            h, back = self.background_half_life, self.background_lookback
            if not (isinstance(h, numbers.Real) and math.isfinite(h) and h > 0):
                raise ValueError(
                    f"background_half_life must be a positive number of months or None, not {h!r}"
                )
            if not (
                isinstance(back, numbers.Integral) and back * DAYS_PER_MONTH >= self.window_days
            ):
                raise ValueError(
                    f"background_lookback must cover window_days ({self.window_days!r} days), "
                    f"not {back!r} months"
                )

    def fit(self, events: EventSet, area: StudyArea, until: date | datetime | int) -> Self:
        """Fit on the dated events of [start - window_days, start); return self.

        `until` is a month (month index or date: the forecast starts at 00:00 UTC on the first
        day of that month) or a datetime (timezone-aware, or naive meaning UTC: the forecast
        starts exactly then, e.g. at 07:00 for a shift). EM starts from theta0, omega0 and
        mu_c = (1 - theta0) n_c / window_days, n_c the cell's training events.

        Raises:
            ValueError: a parameter is invalid (the message names it), or events lie outside
                the study area.
            NoDateTimesError: there are target events but none has a date-time.
            TypeError: `until` is not a month index, date or datetime.
        """
        self._validate()
        start = start_day(until)
        begin = start - float(self.window_days)
        used = events.targets()
        if len(used) and not bool(np.isfinite(used.day).any()):
            raise NoDateTimesError(
                f"{type(self).__name__} needs incident date-times, but none of the {len(used):,} "
                "events has one (the data give only months): use a month-based estimator instead"
            )
        dated = np.isfinite(used.day)
        keep = dated & (used.day >= begin) & (used.day < start) & (used.weight > 0)
        day = used.day[keep].astype(np.float64)
        cell = used.cell[keep].astype(np.int64)
        _check_events(day, cell, area.n_cells, begin, start)
        w = _window(day, cell, area.n_cells, begin, start, float(self.max_lag_days))

        theta, omega = float(self.theta0), float(self.omega0)
        shape = self._background_shape(events, area, until)
        if shape is None:
            counts = np.bincount(w.cell, minlength=area.n_cells).astype(np.float64)
            mu: FloatArray = (1.0 - theta) * counts / w.duration
        else:
            mu = shape * ((1.0 - theta) * len(w.cell) / w.duration)
        history: list[float] = []
        converged = False
        if len(w.cell) == 0:
            # Nothing to learn from: the maximum-likelihood rates are zero and nothing triggers.
            theta, converged = 0.0, True
            history.append(0.0)
        else:
            for iteration in range(int(self.max_iter) + 1):
                loglik, p_bg, p_pair = _e_step(w, mu, theta, omega)
                history.append(loglik)
                if iteration > 0 and loglik - history[-2] <= self.tol * (1.0 + abs(history[-2])):
                    converged = True
                    break
                if iteration == self.max_iter:
                    break
                mu, theta, omega = _m_step(w, p_bg, p_pair, theta, omega, shape)

        self.mu_ = mu
        self.theta_ = theta
        self.omega_ = omega
        self.loglik_ = history
        self.n_iter_ = len(history) - 1
        self.converged_ = converged
        self.start_day_ = start
        self.n_events_ = len(w.cell)
        self._cell = w.cell
        self._day = w.day
        self._n_cells = area.n_cells
        # The forecast uses the settings of the fit, even if set_params changes them afterwards.
        self._horizon = float(self.horizon_days)
        self._max_lag = float(self.max_lag_days)
        self._fitted = True
        return self

    def _background_shape(
        self, events: EventSet, area: StudyArea, until: date | datetime | int
    ) -> FloatArray | None:
        """The `ew-H` count at the forecast start, summing to 1; None for a free background."""
        if self.background_half_life is None:
            return None
        count = (
            ExponentialCount(
                half_life=float(self.background_half_life),
                lookback=self.background_lookback,
            )
            .fit(events, area, until)
            .predict()
        )
        total = float(count.sum())
        return count / total if total > 0 else count

    def predict(self) -> FloatArray:
        """Expected events per study-area cell in [start, start + horizon_days).

        mu_c h + sum_k theta (exp(-omega a_k) - exp(-omega min(a_k + h, L))) over the cell's
        training events with age a_k = start - t_k < L (days): the exact integral of the fitted
        intensity over the horizon h, counting triggering by past events only. Events that happen
        during the horizon would trigger more, so for long horizons this is a lower bound (the
        background part would grow by up to 1 / (1 - theta)); for short horizons (a shift) it is
        close to h times the intensity at the start.
        """
        self._check_fitted()
        h = self._horizon
        lag = self._max_lag
        age = self.start_day_ - self._day
        inside = age < lag
        triggered = self.theta_ * (
            np.exp(-self.omega_ * age[inside])
            - np.exp(-self.omega_ * np.minimum(age[inside] + h, lag))
        )
        out: FloatArray = self.mu_ * h
        out += np.bincount(self._cell[inside], weights=triggered, minlength=self._n_cells)
        return out
