"""`--force all` with the store in an S3 bucket (a real S3 API on localhost, see tests/s3.py):
the workers of a local cluster read it with the credentials of their own environment, which
they inherit at spawn, and give what the store in a folder gives (issue 22, part 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.store.store import Store
from tests.cluster.conftest import FORCES
from tests.cluster.test_all_forces import BACKTEST, VIOLENCE, invoke, json_of, leftovers
from tests.s3 import S3Server


@pytest.fixture(scope="module")
def url(s3_server: S3Server, two_forces: Path) -> str:
    return s3_server.publish(two_forces, "streetlight-cluster", "store")


def test_backtest_all_forces_from_a_bucket_match_the_folder(
    s3_env: S3Server, two_forces: Path, url: str, tmp_path: Path
) -> None:
    bucket, folder = tmp_path / "bucket", tmp_path / "folder"
    for where, out in ((url, bucket), (str(two_forces), folder)):
        output = invoke(
            "backtest", "--store", where, *BACKTEST, "--force", "all", "--workers", "2",
            "--json", str(out / "bt.json"),
        )  # fmt: skip
        assert all(output.count(f"{force}: ") == 1 for force in FORCES), output
    for force in FORCES:
        assert json_of(bucket / force / "bt.json") == json_of(folder / force / "bt.json")
    summary = json.loads((bucket / "bt-all-forces.json").read_text(encoding="utf-8"))
    assert summary["failed"] == {}
    assert json_of(bucket / "bt-all-forces.json") == json_of(folder / "bt-all-forces.json")
    assert not leftovers(tmp_path)


def test_hotspots_all_forces_and_one_force_from_a_bucket(
    s3_env: S3Server, two_forces: Path, url: str, tmp_path: Path
) -> None:
    forecast = ["hotspots", "--category", VIOLENCE, "--month", "2025-11", "--model", "ew-6"]
    invoke(
        *forecast, "--store", url, "--force", "all", "--workers", "2",
        "--out", str(tmp_path / "all" / "h.csv"),
    )  # fmt: skip
    for force in FORCES:
        alone = tmp_path / force / "h.csv"
        invoke(*forecast, "--store", str(two_forces), "--force", force, "--out", str(alone))
        assert (tmp_path / "all" / force / "h.csv").read_bytes() == alone.read_bytes()
    one = tmp_path / "one" / "h.csv"
    invoke(*forecast, "--store", url, "--force", FORCES[1], "--out", str(one))
    assert one.read_bytes() == (tmp_path / FORCES[1] / "h.csv").read_bytes()


def test_workers_without_credentials_name_the_force_and_the_bucket(
    s3_env: S3Server, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client reads the manifest; workers whose environment lacks the secret fail each
    force with the access error (never the secret), and the command says so."""
    wrong = "a-worker-secret-that-is-wrong-42"
    # The client opens the store before the cluster starts: give it the right secret then,
    # and the workers (spawned later, inheriting the environment) the wrong one.
    opened = Store.open

    def open_then_break(*args: object, **kwargs: object) -> Store:
        store = opened(*args, **kwargs)  # type: ignore[arg-type]
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
        return store

    monkeypatch.setattr(Store, "open", open_then_break)
    result = CliRunner().invoke(
        app,
        ["backtest", "--store", url, *BACKTEST, "--force", "all", "--workers", "1"],
    )
    assert result.exit_code == 1
    assert "cannot read from the bucket" in result.output
    assert wrong not in result.output and s3_env.secret_key not in result.output
