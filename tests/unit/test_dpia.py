"""The DPIA export: every file there, the weights in use byte for byte, the rules and the report;
a folder or a zip; no token, name or force reference in any of it."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from streetlight.unit.disparity import ranking_disparity
from streetlight.unit.dpia import dpia_files, read_weight_files, write_dpia
from streetlight.unit.errors import ExportError
from streetlight.unit.harm import SUBGROUP_HARM
from streetlight.unit.ranking import Ranking
from streetlight.unit.ranking_weights import RFGV_WEIGHTS
from streetlight.unit.retention import RULES
from streetlight.unit.synthetic import DEFAULT, generate

FILES = {
    "README.md", "inputs.md", "retention.md", "linkage.md", "disparity.md", "disparity.json",
    "weights/cchi_subgroups.csv", "weights/CCHI_SUBGROUPS.md", "weights/rfgv.toml",
}  # fmt: skip


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    force = generate(DEFAULT, 20260101)
    as_of = force.end - timedelta(days=1)
    fitted = Ranking(method="v100").fit(force.offences, force.links, as_of=as_of)
    report = ranking_disparity(fitted, force.people, as_of=as_of, top=100)
    made = dpia_files(report, **read_weight_files())
    # Everything that identifies someone in the force: none of it may be in the export.
    identifying = [
        *fitted.scores_["person"].to_list(),
        *force.people["surname"].drop_nulls().unique().to_list(),
        *force.offences["offence_ref"].head(500).to_list(),
    ]
    text = b"\n".join(made.values()).decode()
    for value in identifying:
        assert value not in text, "personal data in the export"
    return made


def test_the_export_holds_inputs_weights_rules_and_the_report(files: dict[str, bytes]) -> None:
    assert set(files) == FILES
    assert files["weights/cchi_subgroups.csv"] == SUBGROUP_HARM.read_bytes()
    assert files["weights/rfgv.toml"] == RFGV_WEIGHTS.read_bytes()
    assert b"isthisben/cbl-realcrime" in files["weights/CCHI_SUBGROUPS.md"]
    assert RULES in files["retention.md"].decode()
    linkage = files["linkage.md"].decode()
    assert "never evidence in itself" in linkage and "| offences | x |" in linkage
    inputs = files["inputs.md"].decode()
    for row in ("| offences | reported_at |", "| people | ethnicity |", "| links | role |"):
        assert row in inputs
    assert "surname" not in inputs and "forenames" not in inputs
    assert files["disparity.md"].decode().startswith("# Disparity: v100 as of 2025-12-31")


def test_a_force_table_is_marked_as_its_own(tmp_path: Path) -> None:
    own = tmp_path / "harm.csv"
    own.write_bytes(SUBGROUP_HARM.read_bytes())
    assert read_weight_files(own)["harm_attribution"].startswith(b"The force's own table")


def test_written_to_a_folder_or_a_zip_never_over_files(
    files: dict[str, bytes], tmp_path: Path
) -> None:
    folder = write_dpia(files, tmp_path / "dpia")
    assert (folder / "weights" / "rfgv.toml").read_bytes() == files["weights/rfgv.toml"]
    with pytest.raises(ExportError, match="not an empty folder"):
        write_dpia(files, folder)
    archive = write_dpia(files, tmp_path / "dpia.zip")
    with zipfile.ZipFile(archive) as z:
        assert set(z.namelist()) == FILES
        assert z.read("disparity.json") == files["disparity.json"]
    with pytest.raises(ExportError, match="exists already"):
        write_dpia(files, archive)
