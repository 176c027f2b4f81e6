"""`streetlight linkage evaluate` and `score` on files written here (a synthetic table, not the
GPL reference data), and the built-in crimelinkage mapping kept equal to the documented one."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.linkage.crimes import CrimeTable, read_mapping
from streetlight.linkage.reference import CRIMELINKAGE_MAPPING
from tests.linkage.crimelinkage_data import MAPPING
from tests.linkage.synthetic import offender_crimes

runner = CliRunner()
HEADER = ["crimeID", "X", "Y", "DATE_FROM", "TIME_FROM", "DATE_TO", "TIME_TO", "MO1", "MO2", "MO3"]


def _write(
    folder: Path, crimes: CrimeTable, who: np.ndarray, keep: np.ndarray
) -> tuple[Path, Path]:
    """The table in the crimelinkage layout, and offender rows for the crimes in `keep` only."""
    entry = crimes.categorical["entry"]
    with (folder / "crimes.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for k in range(len(crimes)):
            start, end = crimes.t_from[k].item(), crimes.t_to[k].item()
            out.writerow(
                [
                    *(crimes.ids[k], f"{crimes.x[k]:.1f}", f"{crimes.y[k]:.1f}"),
                    *(start.strftime("%Y-%m-%d"), start.strftime("%H%M")),
                    *(end.strftime("%Y-%m-%d"), end.strftime("%H%M")),
                    *(str(entry[k]), "a", "NA"),
                ]
            )
    with (folder / "offenders.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["offenderID", "crimeID"])
        out.writerows([f"O:{who[k]}", crimes.ids[k]] for k in np.flatnonzero(keep))
    return folder / "crimes.csv", folder / "offenders.csv"


def test_the_built_in_mapping_is_the_documented_one() -> None:
    assert read_mapping(MAPPING) == CRIMELINKAGE_MAPPING


def test_evaluate_writes_json_and_plot_and_prints_every_model(tmp_path: Path) -> None:
    crimes, who = offender_crimes(150, seed=5)
    crime_file, offender_file = _write(tmp_path, crimes, who, np.ones(150, bool))
    args = ["linkage", "evaluate", "--crimes", str(crime_file), "--offenders", str(offender_file)]
    result = runner.invoke(app, [*args, "--seed", "0", "--json", str(tmp_path / "r" / "e.json")])
    assert result.exit_code == 0, result.output
    for name in ("naive-bayes", "logistic", "boosted", "context-ensemble", "0.914"):
        assert name in result.output
    doc = json.loads((tmp_path / "r" / "e.json").read_text())
    assert [s["seed"] for s in doc["seeds"]] == [0]
    assert doc["mean"]["context-ensemble"]["auc"] > 0.9  # an easy table
    assert (tmp_path / "r" / "e.png").read_bytes()[:4] == b"\x89PNG"
    bad = runner.invoke(app, [*args, "--seeds", "0,x"])
    assert bad.exit_code == 1 and "--seeds" in bad.output
    # Every crime by a different offender: no series to learn or test on.
    crime_file, offender_file = _write(tmp_path, crimes, np.arange(150), np.ones(150, bool))
    alone = runner.invoke(app, args)
    assert alone.exit_code == 1
    assert "seed 0: the training pairs hold 0 linked" in alone.output


def test_score_fits_on_the_given_offenders_only_and_scores_other_crimes(tmp_path: Path) -> None:
    crimes, who = offender_crimes(300, seed=6)
    known = who < 40  # offenders 0..39 solved; 40..59 only in the pairs to score
    crime_file, offender_file = _write(tmp_path, crimes, who, known)
    rng = np.random.default_rng(0)
    unseen = np.flatnonzero(~known)
    a, b = rng.choice(unseen, 400), rng.choice(unseen, 400)
    a, b = a[a != b], b[a != b]
    with (tmp_path / "pairs.csv").open("w", newline="") as f:
        csv.writer(f).writerows(
            [["crime_a", "crime_b"], *zip(crimes.ids[a], crimes.ids[b], strict=True)]
        )
    args = ["linkage", "score", "--crimes", str(crime_file), "--offenders", str(offender_file)]
    result = runner.invoke(
        app, [*args, "--pairs", str(tmp_path / "pairs.csv"), "--out", str(tmp_path / "s.csv")]
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "s.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["crime_a"], r["crime_b"]) for r in rows] == list(
        zip(crimes.ids[a], crimes.ids[b], strict=True)
    )
    score = np.array([float(r["score"]) for r in rows])
    assert roc_auc_score(who[a] == who[b], score) > 0.95

    with (tmp_path / "bad.csv").open("w", newline="") as f:
        csv.writer(f).writerows([["crime_a", "crime_b"], ["c1", "c2"], ["c3", "nope"]])
    bad = runner.invoke(
        app, [*args, "--pairs", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "x.csv")]
    )
    assert bad.exit_code == 1
    assert "bad.csv: row 3, crime_b: 'nope' is not in the crime table" in bad.output
    assert not (tmp_path / "x.csv").exists()
