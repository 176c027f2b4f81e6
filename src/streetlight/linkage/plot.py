"""One PNG of an evaluation: the ROC curve and the precision among the top k test pairs of
every model (the reference vignette's two plots), the first seed's split. Precision by k is what
an analyst working down the list meets; the ROC curve is what AUC summarises."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from streetlight.linkage.evaluate import CURVE_LENGTH, Evaluation


def write_plot(result: Evaluation, path: Path) -> Path:
    """Draw `result`'s curves (first seed) into the PNG at `path`; returns the path."""
    if not result.seeds:
        raise ValueError("an evaluation without seeds has no curves to draw")
    seed = result.seeds[0]
    fig, (roc, top) = plt.subplots(1, 2, figsize=(11, 4.5))
    for m in seed.models:
        roc.plot(m.pairs.roc_fpr, m.pairs.roc_tpr, label=f"{m.model} (AUC {m.pairs.auc:.3f})")
        curve = m.pairs.precision_curve[:CURVE_LENGTH]
        top.plot(range(1, len(curve) + 1), curve, label=m.model)
    roc.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":")
    roc.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC, test pairs")
    top.set(
        xlabel="test pairs examined, highest score first",
        ylabel="precision (share linked)",
        title=f"Precision at the top ({seed.test_linked} linked of {seed.test} test pairs)",
        xscale="log",
        ylim=(0, 1.02),
    )
    for ax in (roc, top):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Crime linkage, reference protocol, seed {seed.seed}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
