"""A store published to an S3 bucket reads as the same store in a folder, from a real S3 API
(moto's server on localhost, authentication on): the same incidents, keys, rows and quarantine,
the same pruning by force, category and month; writes refused with what to do instead; a
missing store or refused credentials named without the secret (issue 22, part 4)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from streetlight.cli.main import app
from streetlight.ingest import ingest
from streetlight.store import Store
from streetlight.store.access import StoreNotFoundError
from streetlight.store.bucket import S3Settings, StoreAccessError
from streetlight.store.location import (
    StoreURL,
    UnsupportedStoreURLError,
    absolute,
    store_location,
)
from streetlight.store.store import ReadOnlyStoreError
from tests.conftest import SAMPLE_ZIP, sample_lines
from tests.s3 import S3Server
from tests.test_cli_info import run_entry

VIOLENCE = "Violence and sexual offences"


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample, and a file with a row quarantined (an impossible month)."""
    folder = tmp_path_factory.mktemp("bucket")
    store = Store.open(folder / "store", create=True)
    header, first, *_ = sample_lines("2024-01")
    bad = folder / "extra" / "2024-01-cleveland-street.csv"
    bad.parent.mkdir()
    bad.write_text("\n".join([header, first.replace(",2024-01,", ",2024-13,", 1)]))
    ingest([SAMPLE_ZIP, bad], store)
    return folder / "store"


@pytest.fixture(scope="module")
def url(s3_server: S3Server, local: Path) -> str:
    return s3_server.publish(local, "streetlight-tests", "national/store")


def test_a_url_stays_a_url() -> None:
    location = store_location("s3://bucket/national/store/")
    assert location == StoreURL("s3://bucket/national/store")
    assert str(location / "manifest.json") == "s3://bucket/national/store/manifest.json"
    assert (location.bucket, location.key) == ("bucket", "national/store")
    assert absolute(location) is location
    assert store_location("store") == Path("store")
    with pytest.raises(UnsupportedStoreURLError, match="gs://b/x"):
        store_location("gs://b/x")


def test_the_same_frames_from_the_bucket(s3_env: S3Server, local: Path, url: str) -> None:
    there, here = Store.open(url), Store.open(local)
    assert there.manifest == here.manifest
    there.refresh()  # a reader sees a newer publication by reading the manifest again
    assert there.manifest == here.manifest
    assert_frame_equal(there.incidents(), here.incidents())
    assert_frame_equal(there.quarantine(), here.quarantine())
    assert here.quarantine().height > 0  # the sample has rows to quarantine
    assert_frame_equal(there.keys(["cleveland"]), here.keys(["cleveland"]))
    wanted = here.keys(["cleveland"]).head(50).select("force", "incident_id", "month")
    assert_frame_equal(there.rows(wanted), here.rows(wanted))


def test_pruning_by_category_and_month_reads_the_same(
    s3_env: S3Server, local: Path, url: str
) -> None:
    there, here = Store.open(url), Store.open(local)
    query = {
        "force": "Cleveland Police",
        "categories": [VIOLENCE, "Robbery"],
        "start": "2024-12",
        "end": "2025-11",
        "columns": ["month", "category", "x", "y"],
    }
    got = there.incidents(**query)  # type: ignore[arg-type]
    assert_frame_equal(got, here.incidents(**query))  # type: ignore[arg-type]
    assert got.height > 0
    assert set(got["category"]) == {VIOLENCE, "Robbery"}
    assert got["month"].dt.strftime("%Y-%m").unique().sort().to_list()[0] == "2024-12"
    months = there._partition_files(["cleveland"], None, None)
    assert all(m.startswith(f"{url}/incidents/force=cleveland/month=") for m in months)


def test_every_write_is_refused_at_once_with_what_to_do(s3_env: S3Server, url: str) -> None:
    store = Store.open(url)
    for attempt in (
        lambda: Store.open(url, create=True),
        lambda: store.writer().__enter__(),
        lambda: store.staging_dir("x"),
        lambda: ingest([SAMPLE_ZIP], store),
    ):
        with pytest.raises(ReadOnlyStoreError) as caught:
            attempt()
        message = str(caught.value)
        assert url in message and "aws s3 sync" in message and "manifest last" in message
    result = CliRunner().invoke(app, ["ingest", str(SAMPLE_ZIP), "--store", url, "-q"])
    assert result.exit_code != 0
    assert "read-only" in result.output and url in result.output


def test_a_missing_bucket_or_store_is_named(s3_env: S3Server, url: str) -> None:
    for missing in ("s3://no-such-bucket/store", f"{url}/elsewhere"):
        with pytest.raises(StoreNotFoundError, match="no incident store here") as caught:
            Store.open(missing)
        assert missing in str(caught.value)
        assert s3_env.secret_key not in str(caught.value)


def test_refused_credentials_are_named_without_the_secret(
    s3_env: S3Server, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "wrong-secret-0123456789abcdefghijklmnopqrstuv"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    with pytest.raises(StoreAccessError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert url in message and "AWS_SECRET_ACCESS_KEY" in message
    assert wrong not in message and s3_env.secret_key not in message
    assert s3_env.access_key not in message
    result = CliRunner().invoke(app, ["info", "--store", url])
    assert result.exit_code != 0 and "cannot read from the bucket" in result.output
    assert wrong not in result.output


def test_a_partition_refused_after_opening_is_an_access_error(
    s3_env: S3Server, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(url)
    wrong = "another-wrong-secret-9876543210"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)  # read again at each scan
    with pytest.raises(StoreAccessError) as caught:
        store.incidents(categories=VIOLENCE, start="2025-11", end="2025-11")
    assert wrong not in str(caught.value) and url in str(caught.value)


def test_settings_come_from_the_environment_and_never_show_the_secret() -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "s3cr3t",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL": "https://s3.example.org",
    }
    settings = S3Settings.from_env(env)
    assert "s3cr3t" not in repr(settings) and "AKIDEXAMPLE" not in repr(settings)
    options = settings.polars_options()
    assert options["aws_region"] == "eu-west-2"
    assert "aws_allow_http" not in options  # https endpoint: no plain http
    plain = S3Settings.from_env({**env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9000"})
    assert plain.polars_options()["aws_allow_http"] == "true"
    assert settings.scrub("key AKIDEXAMPLE secret s3cr3t.") == "key *** secret ***."
    short = S3Settings.from_env({"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b/c+d"})
    assert short.scrub("a bad key: a, b/c+d") == "*** bad key: ***, ***"
    assert S3Settings.from_env({}).polars_options() == {}  # the clients' own chain


def test_hotspots_for_one_force_read_the_bucket_as_the_folder(
    s3_env: S3Server, local: Path, url: str, tmp_path: Path
) -> None:
    args = ["hotspots", "--category", VIOLENCE, "--month", "2025-11", "--model", "ew-6"]
    for where, name in ((url, "s3"), (str(local), "local")):
        result = CliRunner().invoke(
            app, [*args, "--store", where, "--out", f"{tmp_path}/{name}.csv"]
        )
        assert result.exit_code == 0, result.output
    assert pl.read_csv(tmp_path / "s3.csv").equals(pl.read_csv(tmp_path / "local.csv"))


def test_info_prints_what_it_prints_for_the_folder(
    s3_env: S3Server, local: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console script's fast path (no polars) and the whole command line alike, the URL
    given by --store or by $STREETLIGHT_STORE."""
    expected = CliRunner().invoke(app, ["info", "--store", str(local)]).output
    expected = expected.replace(str(local), url)
    assert CliRunner().invoke(app, ["info", "--store", url]).output == expected
    done = run_entry("info", "--store", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
    assert "polars" not in done.stderr.split("loaded:")[1]
    monkeypatch.setenv("STREETLIGHT_STORE", url)
    assert run_entry("info").stdout == expected
