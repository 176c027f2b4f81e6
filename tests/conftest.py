"""Shared fixtures: the bundled real sample, fresh stores in temporary folders, and fresh
operational databases (SQLite and a throwaway PostgreSQL server, see tests/db/postgres.py), and a
real S3 API on localhost (moto's server, see tests/s3.py)."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.engine import make_engine, session_factory
from streetlight.db.migrate import upgrade
from streetlight.db.models import Base
from streetlight.store import Store
from tests.db.postgres import Cluster, start_cluster

if TYPE_CHECKING:
    from tests.s3 import S3Server

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ZIP = REPO / "data" / "sample" / "cleveland-2023-12_2025-11.zip"
ST_LOUIS_EXCERPT = REPO / "tests" / "data" / "st-louis-excerpt.zip"
ST_LOUIS_MAPPING = REPO / "mappings" / "st-louis.toml"
# The full real data sets, present beside the repository on development and CI machines.
SHARED_DATA = REPO.parent / "shared" / "data"
_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip


def st_louis_monthly_files(archive_path: Path, folder: Path) -> list[Path]:
    """The St. Louis export's monthly files ("2017/may2017.csv") unpacked into `folder`,
    oldest first: the order a force would ingest them in as they come."""
    with zipfile.ZipFile(archive_path) as archive:
        members = [n for n in archive.namelist() if n.endswith(".csv")]
        archive.extractall(folder, members)

    def when(name: str) -> tuple[int, int]:
        stem = Path(name).stem.lower()
        return int(stem[-4:]), _MONTH_NAMES.index(stem[:-4])

    return [folder / n for n in sorted(members, key=when)]


def sample_member(month: str = "2024-01") -> bytes:
    """One real data.police.uk street file from the bundled sample."""
    with zipfile.ZipFile(SAMPLE_ZIP) as archive:
        return archive.read(f"{month}/{month}-cleveland-street.csv")


def sample_lines(month: str = "2024-01") -> list[str]:
    return sample_member(month).decode("utf-8").splitlines()


def database_text(sessions: sessionmaker[Session]) -> str:
    """Every value in every table (the models' and any other), a row a line: what someone with a
    copy of the database sees, for the tests that something is stored nowhere."""
    with sessions() as session:
        connection = session.connection()
        return "\n".join(
            " ".join(str(value) for value in row)
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "store", create=True)


# --- A real S3 API on localhost (tests/s3.py) -------------------------------------------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    from tests.s3 import s3_server as start  # boto3 and moto: only for the tests that use them

    with start() as server:
        yield server


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """This process's environment set as a reader of `s3_server` is given it (Dask workers the
    test starts inherit it), and nothing from the machine's own AWS configuration."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server


Writer = Callable[[str, bytes | str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write bytes or text to a file under tmp_path/in and return its path."""

    def _write(name: str, content: bytes | str) -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return _write


# --- The operational database, on SQLite and on PostgreSQL ------------------------------------

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server for the whole run (started on first use)."""
    cluster = start_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (far faster than migrating)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "streetlight.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_database(postgres: Cluster) -> str:
    """One PostgreSQL database migrated once for the run; emptied before each test that uses it
    (TRUNCATE takes milliseconds, a CREATE DATABASE per test over half a second)."""
    name = postgres.create_database()
    engine = make_engine(postgres.url(name))
    upgrade(engine)
    engine.dispose()
    return name


def _empty_tables(cluster: Cluster, database: str) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with psycopg.connect(cluster.dsn(database), autocommit=True) as connection:
        connection.execute("SET lock_timeout = '10s'")  # a leaked connection fails, not hangs
        # Replica mode skips the triggers that keep the audit log append-only.
        connection.execute("SET session_replication_role = replica")
        connection.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(sql.SQL(tables)))


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database at the current schema, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "db" / "streetlight.db"
        target.parent.mkdir()
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    cluster: Cluster = request.getfixturevalue("postgres")
    name: str = request.getfixturevalue("postgres_database")
    _empty_tables(cluster, name)
    yield cluster.url(name)


@pytest.fixture(params=ENGINES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database (no schema), once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty' / 'streetlight.db'}"
        return
    cluster: Cluster = request.getfixturevalue("postgres")
    name = cluster.create_database()
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on this test's own database, disposed afterwards."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)
