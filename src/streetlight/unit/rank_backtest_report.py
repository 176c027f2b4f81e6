"""The rankings' backtest as files: `backtest.json`, and `report.md` with two plots (PNG).

The Markdown says what the figures can and cannot show, because a share of harm "held by a
list" reads like a claim about people that it is not: follow-up reports are what reached the
police, not offending; a list cannot see first-time suspects or offences without a named
suspect; and a synthetic force's figures show the method works as written, not how a real force
would fare. Counts and shares only: no one is named.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display
import matplotlib.pyplot as plt

from streetlight.unit.rank_backtest import FOLLOW_UP_MONTHS, TOP_SHARE, Backtest

SYNTHETIC_BANNER = "SYNTHETIC DATA - NOT REAL PEOPLE"
_METRICS = {
    "harm_share": "share of follow-up VAWG harm",
    "offence_share": "share of follow-up VAWG offences by named suspects",
    "repeat_rate": "repeat victimisation of known victims",
}


def write_backtest(result: Backtest, folder: Path) -> tuple[Path, Path]:
    """`backtest.json` and `report.md` (with `harm-share-by-month.png` and
    `harm-share-by-list.png`) in `folder`, created if need be; returns the two paths."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "backtest.json"
    # No NaN in the file (not JSON): a figure with nothing to measure is null.
    data.write_text(
        json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    _plot_months(result, folder / "harm-share-by-month.png")
    _plot_lists(result, folder / "harm-share-by-list.png")
    report = folder / "report.md"
    report.write_text(markdown(result), encoding="utf-8")
    return data, report


def _title(result: Backtest) -> str:
    return ("SYNTHETIC force: " if result.synthetic else "") + "harm rankings backtest"


def _plot_months(result: Backtest, path: Path) -> None:
    months = [r.month for r in result.refreshes]
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    for name in result.all_lists():
        ax.plot(months, result.values(name, "top", "harm_share"), marker="o", label=name)
    ax.plot(months, result.unseen(), linestyle="--", color="grey", label="seen by no list")
    ax.set_title(
        f"{_title(result)}: share of the next {FOLLOW_UP_MONTHS} months' VAWG harm, "
        f"top {result.top}, by refresh month"
    )
    ax.set_ylabel("share of follow-up VAWG harm")
    ax.tick_params(axis="x", rotation=45)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_lists(result: Backtest, path: Path) -> None:
    names = result.all_lists()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), dpi=110, sharey=True)
    for ax, (listed, label) in zip(axes, _lists(result), strict=True):
        summaries = [result.summary(n, listed, "harm_share") for n in names]
        means = [s.mean for s in summaries]
        errors = [
            [s.mean - s.low for s in summaries],
            [s.high - s.mean for s in summaries],
        ]
        ax.bar(names, means, yerr=errors, capsize=4, color="tab:blue")
        ax.set_title(f"{label}: mean over months (95% interval)")
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("share of follow-up VAWG harm")
    fig.suptitle(_title(result))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _lists(result: Backtest) -> tuple[tuple[str, str], tuple[str, str]]:
    return (("top", f"top {result.top}"), ("share", f"top {TOP_SHARE:.0%}"))


def _pct(value: float) -> str:
    return f"{value:.1%}" if value == value else "n/a"


def _gain(value: float) -> str:
    return f"{value:+.0%}" if value == value else "n/a"  # NaN: the comparison held no harm


def markdown(result: Backtest) -> str:
    """The report's text (see the module docstring)."""
    refreshes = result.refreshes
    first, last = refreshes[0], refreshes[-1]
    unseen_mean, unnamed = (
        float(result.unseen().mean()),
        sum(r.unseen.unnamed_share for r in refreshes) / len(refreshes),
    )
    lines = [f"# {_title(result)}", ""]
    if result.synthetic:
        lines += [f"**{SYNTHETIC_BANNER}.** Every figure below is from a generated force.", ""]
    lines += [
        f"Refreshes on the first day of each month, {first.month} to {last.month} "
        f"({len(refreshes)}). Each ranks on the 365 days before it only, then follows the next "
        f"{FOLLOW_UP_MONTHS} months of VAWG reports. Lists: the first {result.top} of each "
        f"method and the first {TOP_SHARE:.0%} of the people eligible (everyone named as "
        f"suspect in a VAWG allegation in the year: {first.eligible:,} at the first refresh, "
        f"{last.eligible:,} at the last), and a random list of the same size from the same "
        f"people (seed {result.seed}).",
        "",
        f"Leakage check: at every refresh each method ranked on all the records and on those cut "
        f"at its date; {len(result.leakage)} checks, "
        + (
            "**all identical** (no ranking saw a later report)."
            if result.leak_free
            else "**differences found**: a ranking saw later reports; do not use these figures."
        ),
        "",
        f"Intervals: 95% paired circular-block bootstrap over refresh months, in blocks of "
        f"{result.block} (consecutive refreshes share most of their follow-up, so "
        f"{len(refreshes)} months are nearer {max(1, round(len(refreshes) / result.block))} "
        "independent observations than "
        f"{len(refreshes)}).",
        "",
    ]
    sizes = ", ".join(
        f"{name} {sum(r.outcomes[name]['top'].size for r in refreshes) / len(refreshes):,.0f}"
        for name in result.all_lists()
    )
    lines += [
        f"Mean size of the top-{result.top} lists: {sizes} (a method lists fewer when it ranks "
        "fewer: rfgv ranks only serial domestic-abuse perpetrators).",
        "",
    ]
    for listed, label in _lists(result):
        for metric, title in _METRICS.items():
            lines += [f"## {label}: {title}", "", "| list | mean | 95% interval |", "|---|---|---|"]
            for name in result.all_lists():
                s = result.summary(name, listed, metric)
                lines.append(f"| {name} | {_pct(s.mean)} | {_pct(s.low)} to {_pct(s.high)} |")
            lines.append("")
        lines += [
            f"### {label}: gain in harm share over the comparisons",
            "",
            "| list | over | gain | 95% interval |",
            "|---|---|---|---|",
            *(
                f"| {g.method} | {g.baseline} | {_gain(g.gain)} | {_gain(g.low)} to {_gain(g.high)} |"
                for g in result.gains(listed)
            ),
            "",
        ]
    lines += [
        "## What no list can see",
        "",
        f"On average {_pct(unseen_mean)} of the follow-up's VAWG harm was in offences no list "
        f"could hold: {_pct(unnamed)} with no named suspect, and "
        f"{_pct(unseen_mean - unnamed)} by suspects ranked by no method in the year before "
        "(first-time suspects among them).",
        "",
        "![harm share by month](harm-share-by-month.png)",
        "",
        "![harm share by list](harm-share-by-list.png)",
        "",
        "## What these figures can and cannot show",
        "",
        "- Follow-up reports are not offending: they are what reached the police. A list that "
        "leads to action changes what is reported, so in use these shares are not what the "
        "backtest measures.",
        "- A list cannot see first-time suspects, or offences with no named suspect: the share "
        "above is harm out of any list's reach, however good the ranking.",
        "- Holding a share of future harm is not preventing it: the backtest says who was "
        "reported again, not what any intervention would have changed.",
        "- Named suspects are allegations, not findings of guilt.",
    ]
    if result.synthetic:
        lines.append(
            "- This is a synthetic force (invented people, offending generated to match published "
            "concentration figures): it checks that the backtest works as written, not how any "
            "real force's list would perform."
        )
    lines.append("")
    return "\n".join(lines)
