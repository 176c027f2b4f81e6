"""A backtest as a Markdown report with plots: metric against coverage, and PAI month by month."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from streetlight.evaluate.backtest import METRICS, BacktestResult
from streetlight.hotspots.base import month_of_index
from streetlight.store.months import month_key

_NAMES = {"hit_rate": "hit rate", "pai": "PAI", "pei": "PEI", "harm_pei": "harm PEI"}


def write_report(result: BacktestResult, folder: Path, title: str) -> Path:
    """`report.md` and its PNG plots in `folder`; returns the Markdown path."""
    folder.mkdir(parents=True, exist_ok=True)
    months = [month_key(month_of_index(m)) for m in result.months]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), dpi=110)
    for ax, metric in zip(axes, METRICS, strict=True):
        for name, res in result.models.items():
            ax.plot(
                result.coverage,
                [res.mean(metric, c) for c in result.coverage],
                marker="o",
                label=name,
            )
        ax.set_xlabel("coverage (% of study area)")
        ax.set_title(f"mean {_NAMES[metric]}")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "metrics-by-coverage.png")
    plt.close(fig)

    middle = 5.0 if 5.0 in result.coverage else result.coverage[len(result.coverage) // 2]
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    for name, res in result.models.items():
        ax.plot(months, res.values("pai", middle), marker="o", label=name)
    ax.set_title(f"PAI at {middle:g}% coverage, month by month")
    ax.tick_params(axis="x", rotation=45)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "pai-by-month.png")
    plt.close(fig)

    comparison = result.comparison()
    lines = [
        f"# {title}",
        "",
        f"Forecast months {months[0]} .. {months[-1]} ({len(months)}), each from the months before "
        f"it; cells of {result.cell_size:g} m. Recommended model: **{comparison.recommended}**. "
        "Intervals are 95% bootstrap intervals over months.",
        "",
    ]
    if comparison.baseline is not None:
        lines += [
            "## Against the best simple baseline",
            "",
            f"The best simple baseline by mean PAI at {comparison.coverage:g}% is "
            f"**{comparison.baseline}**; another model is recommended only if the 95% "
            "paired-bootstrap interval of its gain lies above zero.",
            "",
            "| model | gain | 95% interval |",
            "|---|---|---|",
            *(
                f"| {name} | {g.gain:+.1%} | {g.low:+.1%} to {g.high:+.1%} |"
                for name, g in comparison.gains.items()
            ),
            "",
        ]
    for metric in result.metrics():
        header = "| model | " + " | ".join(f"{c:g}%" for c in result.coverage) + " |"
        lines += [f"## {_NAMES[metric]}", "", header, "|---|" + "---|" * len(result.coverage)]
        for name, res in result.models.items():
            cells = []
            for c in result.coverage:
                lo, hi = res.interval(metric, c)
                cells.append(f"{res.mean(metric, c):.3f} ({lo:.3f} to {hi:.3f})")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "![metrics by coverage](metrics-by-coverage.png)",
        "",
        "![PAI by month](pai-by-month.png)",
        "",
        "| model | seconds (all months) |",
        "|---|---|",
        *(f"| {name} | {res.seconds:.2f} |" for name, res in result.models.items()),
        "",
    ]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
