"""`streetlight info` through the console script's own path (`cli/entry.py`): the same output as
the whole command line, errors as one line, and without importing polars or the other commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.ingest import ingest
from streetlight.store import Store
from tests.conftest import REPO, SAMPLE_ZIP

# The console script's `main()` in a fresh interpreter, then the heavy modules it loaded.
ENTRY = """
import sys
from streetlight.cli.entry import main
sys.argv = ["streetlight", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(
    m for m in ("polars", "numpy", "pyproj", "pydantic", "streetlight.cli.main") if m in sys.modules
)
print("loaded:", ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


def run_entry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args], capture_output=True, text=True, cwd=REPO, check=False
    )


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = Store.open(tmp_path_factory.mktemp("info") / "store", create=True)
    ingest([SAMPLE_ZIP], store)
    return store.root


def test_info_loads_neither_polars_nor_the_other_commands(sample: Path) -> None:
    expected = CliRunner().invoke(app, ["info", "--store", str(sample)]).output
    for args in (["--store", str(sample)], [f"--store={sample}"]):
        done = run_entry("info", *args)
        assert done.returncode == 0, done.stderr
        assert "loaded: \n" in done.stderr  # nor pydantic (Typer's parsing)
        assert done.stdout == expected


def test_info_with_the_store_from_the_environment(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STREETLIGHT_STORE", str(sample))
    done = run_entry("info")
    assert done.returncode == 0 and "Cleveland Police (cleveland" in done.stdout


def test_info_errors_and_help_through_the_entry(tmp_path: Path) -> None:
    missing = run_entry("info", "--store", str(tmp_path / "nothing"))
    assert missing.returncode == 1
    assert "no incident store here" in missing.stderr
    assert "Usage: streetlight info" in run_entry("info", "--help").stdout
    wrong = run_entry("info", "--stroe", str(tmp_path))
    assert wrong.returncode == 2 and "No such option" in wrong.stderr


def test_other_commands_go_to_the_whole_command_line() -> None:
    done = run_entry("--help")
    assert done.returncode == 0
    assert "plan-backtest" in done.stdout and "streetlight.cli.main" in done.stderr
