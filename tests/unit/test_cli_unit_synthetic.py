"""`streetlight unit synthetic`: files written, figures printed beside the published ones, every
output saying synthetic, the same files for the same seed, and never beside other files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.unit import synthetic_layout as layout

runner = CliRunner()
SMALL = ["--perpetrators", "150", "--years", "2", "--quiet"]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_it_writes_the_extract_and_prints_its_figures_beside_the_published(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "synthetic"
    result = runner.invoke(app, ["unit", "synthetic", "--out", str(folder), "--seed", "5", *SMALL])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == lines[-1] == "SYNTHETIC DATA - NOT REAL PEOPLE"
    assert "Synthetic force, seed 5: 2 year(s) from 2023-01-01" in result.output
    for published in ("(77.6%)", "(90%)", "(Suffolk: under 2%)", "4.45 and 2.01"):
        assert published in result.output
    assert f"streetlight unit import {folder} --mapping mappings/unit-synthetic.toml" in (
        result.output.replace("\n", " ")
    )
    written = _files(folder)
    assert list(written) == sorted(["README.txt", *layout.FILES.values()])
    assert all(b"SYNTHETIC" in content for content in written.values())
    # Again over its own earlier output: allowed, and the same bytes.
    again = runner.invoke(app, ["unit", "synthetic", "--out", str(folder), "--seed", "5", *SMALL])
    assert again.exit_code == 0, again.output
    assert _files(folder) == written


def test_it_never_writes_beside_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "Nominals.csv").write_text("NominalID\n1\n", encoding="utf-8")
    result = runner.invoke(app, ["unit", "synthetic", "--out", str(folder), *SMALL])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: {folder}: holds other files;")
    assert sorted(p.name for p in folder.iterdir()) == ["Nominals.csv"]


def test_it_is_documented() -> None:
    assert "synthetic" in runner.invoke(app, ["unit", "--help"]).output
    text = runner.invoke(app, ["unit", "synthetic", "--help"]).output
    for option in ("--out", "--seed", "--perpetrators", "--years", "--quiet"):
        assert option in text
