"""Whose address the per-client limits count: the connection's own, unless the connection comes
from a proxy named in `STREETLIGHT_FORWARDED_ALLOW_IPS` (`streetlight serve
--forwarded-allow-ips`); a client cannot escape its limits by sending a new `X-Forwarded-For`
with each request."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.responses import PlainTextResponse, Response

from streetlight.web.app import create_app
from streetlight.web.core.deps import public
from streetlight.web.core.failsafe import client_key
from streetlight.web.core.settings import Settings
from tests.web.conftest import CHEAP_PASSWORDS, Clock

PROXY = "10.0.0.5"


def _app(settings: Settings, clock: Clock, **changes: object) -> FastAPI:
    """The app, with one more route that answers the client key its limits would count by."""
    app = create_app(settings.model_copy(update=changes), clock=clock, passwords=CHEAP_PASSWORDS)

    @app.get("/test/client-key")
    @public
    def key(request: Request) -> Response:
        return PlainTextResponse(client_key(request))

    return app


def _keys(app: FastAPI, peer: str, forwarded: list[str]) -> list[str]:
    with TestClient(app, client=(peer, 40_000)) as client:
        return [
            client.get("/test/client-key", headers={"x-forwarded-for": address}).text
            for address in forwarded
        ]


FORWARDED = ["198.51.100.1", "198.51.100.2", "203.0.113.9"]


@pytest.mark.parametrize("peer", ["127.0.0.1", PROXY])
def test_forwarded_addresses_are_ignored_by_default(
    settings: Settings, clock: Clock, peer: str
) -> None:
    assert _keys(_app(settings, clock), peer, FORWARDED) == [peer] * 3


def test_a_named_proxy_is_believed(settings: Settings, clock: Clock) -> None:
    app = _app(settings, clock, forwarded_allow_ips=f"{PROXY}, 192.0.2.0/24")
    assert _keys(app, PROXY, FORWARDED) == FORWARDED
    assert _keys(app, "192.0.2.77", FORWARDED[:1]) == FORWARDED[:1]  # a network
    # anyone else still counts as itself, whatever it forwards
    assert _keys(app, "127.0.0.1", FORWARDED) == ["127.0.0.1"] * 3
    # behind a chain of proxies, the address the trusted one saw is the client
    chain = "203.0.113.50, 198.51.100.7"
    assert _keys(app, PROXY, [chain]) == ["198.51.100.7"]


def test_a_bad_proxy_address_is_refused(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="FORWARDED_ALLOW_IPS"):
        Settings.model_validate(
            {**settings.model_dump(), "forwarded_allow_ips": "10.0.0.5,lb.example.org"}
        )
