"""The command line: real commands, real files; errors are one line with exit status 1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from streetlight.cli.main import app
from streetlight.hotspots.registry import PERIOD_MODELS, is_simple_baseline
from tests.conftest import SAMPLE_ZIP, ST_LOUIS_EXCERPT, ST_LOUIS_MAPPING, Writer

runner = CliRunner()


def ingest_st_louis(store: Path, *options: str) -> Result:
    args = ["ingest", str(ST_LOUIS_EXCERPT), "--mapping", str(ST_LOUIS_MAPPING)]
    return runner.invoke(app, [*args, "--store", str(store), *options])


def test_every_command_is_documented() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    commands = [c.name for c in app.registered_commands]
    assert commands == [
        "ingest", "info", "hotspots", "backtest", "plan", "plan-backtest", "dosage", "demo", "serve"
    ]  # fmt: skip
    groups = [g.name for g in app.registered_groups]
    assert groups == ["db", "officers", "staff", "reports", "unit", "linkage", "conduct"]
    for group in groups:
        assert group is not None and group in result.output
        assert "Commands" in runner.invoke(app, [group, "--help"]).output
    for name in commands:
        assert name is not None and name in result.output
        help_text = runner.invoke(app, [str(name), "--help"]).output
        assert len(help_text.split("Usage:", 1)[1].strip().splitlines()) > 3


def test_ingest_then_info(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "read 24 file(s), 73,683 rows: 73,683 accepted, 0 quarantined" in result.output
    again = runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "--store", str(store)])
    assert "0 accepted" in again.output and "24 file(s) skipped as already ingested" in again.output
    mapped = ingest_st_louis(store)
    assert mapped.exit_code == 0, mapped.output
    assert "reversal_row" in mapped.output and "LICENSE.txt: not a data file" in mapped.output
    info = runner.invoke(app, ["info", "--store", str(store)])
    assert info.exit_code == 0, info.output
    for text in (
        "Cleveland Police (cleveland, x/y in EPSG:27700)",
        "months: 2023-12 .. 2025-11, 24 with data",
        "missing months: none",
        "Violence and sexual offences",
        "St. Louis Metropolitan Police Department (st-louis, x/y in EPSG:32615)",
        "Quarantine:",
    ):
        assert text in info.output


def test_store_defaults_to_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREETLIGHT_STORE", str(tmp_path / "env-store"))
    assert runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "-q"]).exit_code == 0
    assert (tmp_path / "env-store" / "manifest.json").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.zip", None, r"missing\.zip: no such file or folder"),
        ("fake.zip", b"not a zip", r"fake\.zip: not a readable zip archive"),
        ("table.csv", b"name,age\nAnn,3\n", r"table\.csv: not a data\.police\.uk street file"),
        ("image.csv", b"\x89PNG\x00\x00", r"image\.csv: binary file"),
    ],
)
def test_unreadable_sources_give_one_line_and_exit_1(
    tmp_path: Path, write: Writer, name: str, content: bytes | None, message: str
) -> None:
    path = write(name, content) if content is not None else tmp_path / name
    result = runner.invoke(app, ["ingest", str(path), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert re.search(message, lines[0])
    assert "Traceback" not in result.output + result.stderr


def test_info_on_a_missing_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["info", "--store", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "no incident store here" in result.stderr


def test_bad_mapping_file(tmp_path: Path, write: Writer) -> None:
    mapping = write("m.toml", "[source]\n")
    result = runner.invoke(app, ["ingest", str(SAMPLE_ZIP), "--mapping", str(mapping)])
    assert result.exit_code == 1
    assert "m.toml: [source] needs 'name'" in result.stderr


def test_quiet_prints_one_line(tmp_path: Path) -> None:
    result = ingest_st_louis(tmp_path / "s", "-q")
    assert result.exit_code == 0
    assert len(result.output.strip().splitlines()) == 1


def test_a_shift_backtest_compares_every_model_with_the_best_simple_baseline(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    assert ingest_st_louis(store).exit_code == 0
    out = tmp_path / "shift.json"
    args = ["backtest", "--store", str(store), "--category", "Larceny-theft", "--by", "shift"]
    result = runner.invoke(
        app, [*args, "--start", "2018-07", "--end", "2018-07", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    baseline = data["baseline"]
    assert set(baseline["gains"]) == set(data["models"]) == set(PERIOD_MODELS)
    assert is_simple_baseline(baseline["model"])
    assert re.search(rf"PEI +vs {baseline['model']}\n", result.output)
    assert "No harm PEI: the default harm table (CCHI" in result.output  # UCR categories
    assert f"recommended: {data['recommended']}" in result.output
    assert "93 shifts (America/Chicago)" in result.output
