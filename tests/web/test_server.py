"""The server's protocols turn Nagle's algorithm off even on a listening socket bound the way
uvicorn's `--workers` supervisor binds it (proto 0, where asyncio leaves it on)."""

from __future__ import annotations

import asyncio
import gc
import socket

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from streetlight.web.server import HttpProtocol, NoDelayH11Protocol


async def _constant(scope: object, receive: object, send: object) -> None:
    raise AssertionError("no request is made")  # pragma: no cover


async def _accepted_nodelay(protocol: type[asyncio.Protocol]) -> int:
    """TCP_NODELAY on the server side of one connection accepted by `protocol`."""
    config = Config(app=_constant, http=protocol, log_config=None)
    config.load()
    state = ServerState()
    made: list[asyncio.Protocol] = []

    def factory() -> asyncio.Protocol:
        made.append(protocol(config=config, server_state=state, app_state={}))  # type: ignore[call-arg]
        return made[-1]

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # as uvicorn's bind_socket
    listener.bind(("127.0.0.1", 0))
    assert listener.proto == 0
    server = await asyncio.get_running_loop().create_server(factory, sock=listener)
    _, writer = await asyncio.open_connection(*listener.getsockname())
    try:
        for _ in range(200):
            if made and getattr(made[0], "transport", None) is not None:
                break
            await asyncio.sleep(0.01)
        accepted = made[0].transport.get_extra_info("socket")  # type: ignore[attr-defined]
        return int(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def test_uvicorns_own_protocol_leaves_nagle_on_there() -> None:
    """The premise: without the fix, this socket keeps Nagle's algorithm (uvicorn #3149)."""
    assert asyncio.run(_accepted_nodelay(H11Protocol)) == 0


@pytest.mark.parametrize("protocol", [NoDelayH11Protocol, HttpProtocol], ids=["h11", "default"])
def test_streetlight_protocols_turn_nagle_off(protocol: type[asyncio.Protocol]) -> None:
    assert asyncio.run(_accepted_nodelay(protocol)) == 1


def test_the_default_protocol_uses_the_c_parser() -> None:
    assert HttpProtocol.__name__ == "NoDelayHttpToolsProtocol"


def test_a_running_app_keeps_its_startup_objects_out_of_collections(app: FastAPI) -> None:
    """A full collection walked every object the app made at start (about 100 ms here, a stall
    for every request in flight); while the app runs they are frozen, and let go at shutdown."""
    before = gc.get_freeze_count()
    with TestClient(app):
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0
