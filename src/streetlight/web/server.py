"""How `streetlight serve` runs uvicorn: one process or several, each answering without Nagle's
delay and logging without client addresses.

Two things uvicorn does not do on its own, and why they matter here:

- With `--workers N` uvicorn binds the listening socket itself, with `proto` left at 0, so asyncio
  never sets TCP_NODELAY on accepted connections (uvicorn issue #3149, open). Each keep-alive
  response then waits on the client's delayed ACK: about 40 ms on Linux, which capped every
  connection at 23 requests/s on loopback here. The protocol classes below set TCP_NODELAY when
  a connection is made, whichever way the socket was bound.
- Worker processes are spawned, not forked, so a filter attached to a logger in this process is
  not in theirs. The access-log filter (no client address, no chat token) goes into the logging
  configuration that every worker applies.

And one thing uvicorn does that it must not: by default it believes `X-Forwarded-For` from
127.0.0.1, so anything on the same machine (or a proxy that passes the header through) chooses
the address the per-client limits count. Its proxy handling is off here; the app trusts the
proxies `STREETLIGHT_FORWARDED_ALLOW_IPS` names, and none by default (`streetlight.web.app`).
"""

from __future__ import annotations

import asyncio
import copy
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from streetlight.db.engine import display_url
from streetlight.db.migrate import current_revision, open_database
from streetlight.web.core.settings import load_settings

APP_FACTORY = "streetlight.web.app:create_app"
"""The import string of the app factory: worker processes build their own app, with settings
from the STREETLIGHT_* environment."""


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on a TCP connection (a Unix socket has no such option)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's pure-Python HTTP/1.1 protocol, without Nagle's delay."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        set_nodelay(transport)
        super().connection_made(transport)  # type: ignore[arg-type]


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a locked dependency; h11 is the fallback
    HttpProtocol: type[asyncio.Protocol] = NoDelayH11Protocol
else:

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's C-parser HTTP/1.1 protocol (httptools), without Nagle's delay."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            set_nodelay(transport)
            super().connection_made(transport)  # type: ignore[arg-type]

    HttpProtocol = NoDelayHttpToolsProtocol


def log_config() -> dict[str, Any]:
    """uvicorn's default logging, with the app's access-log filter on the access handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": "streetlight.web.core.logs.AccessLogFilter"}}
    config["handlers"]["access"]["filters"] = ["redact"]
    return config


def run(*, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve the app built by `APP_FACTORY` until interrupted. Settings come from the process
    environment, which worker processes inherit; the caller puts any overrides there."""
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HttpProtocol,
        proxy_headers=False,
        log_config=log_config(),
        log_level=log_level,
    )


@dataclass(frozen=True)
class Prepared:
    """What `prepare` made ready: the database (its address without password) and its revision."""

    database: str
    revision: str | None  # None: an empty database (no migrations ship)


def prepare(
    *,
    store: Path | None = None,
    database: str | None = None,
    forwarded_allow_ips: str | None = None,
) -> Prepared:
    """Make everything ready for `run` with the data folder `store`, the database URL `database`
    and the trusted proxies `forwarded_allow_ips` (default: the STREETLIGHT_* environment's):
    check the settings, migrate the database, write the development key once, before the
    processes start, and put the options in the environment, from which every app process
    builds its app."""
    options = {
        "STREETLIGHT_STORE": ("store", store),
        "STREETLIGHT_DATABASE_URL": ("database_url", database),
        "STREETLIGHT_FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", forwarded_allow_ips),
    }
    given = {variable: pair for variable, pair in options.items() if pair[1] is not None}
    settings = load_settings(**dict(given.values()))
    url = settings.resolved_database_url
    engine = open_database(url)
    revision = current_revision(engine)
    engine.dispose()
    settings.secret()
    for variable, (_name, value) in given.items():
        os.environ[variable] = str(value)
    return Prepared(display_url(url), revision)
