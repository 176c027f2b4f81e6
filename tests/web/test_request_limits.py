"""Request bodies are capped per route (64 KiB unless a route declares more), counted while they
arrive and refused at once when `Content-Length` is over the cap: 413, JSON under `/api/` and a
page elsewhere, in the user's language. Normal forms are not affected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message

from streetlight.web.core.deps import cookieless, public
from streetlight.web.core.limits import FORM_BYTES, MIB, UPLOAD_BYTES, body_limit
from tests.web.conftest import csrf_token

TOO_LARGE = {"en": "too large for this form", "fr": "trop volumineux pour ce formulaire"}
CHUNK = 8 * 1024


class Chunks:
    """A body sent in chunks with no Content-Length (chunked transfer); counts what was taken."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"x" * CHUNK


def test_an_oversized_json_body_is_refused_with_413(client: TestClient) -> None:
    body = b'{"receipt": "' + b"A" * (FORM_BYTES + 1) + b'"}'
    answer = client.post(
        "/api/v1/reports/status",
        content=body,
        headers={"content-type": "application/json", "accept-language": "fr"},
    )
    assert answer.status_code == 413
    assert TOO_LARGE["fr"] in answer.json()["detail"] and "999" in answer.json()["detail"]


def test_a_chunked_body_is_refused(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/reports/status",
        content=Chunks(4 * MIB),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413 and "999" in answer.json()["detail"]


def test_an_oversized_form_gets_a_page(client: TestClient) -> None:
    token = csrf_token(client, "/verify")
    form = {"csrf_token": token, "warrant_number": "PC1", "code": "1" * (FORM_BYTES + 1)}
    page = client.post("/verify?lang=en", data=form)
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert TOO_LARGE["en"] in page.text and 'href="tel:999"' in page.text
    chunked = client.post(
        "/report?lang=fr",
        content=Chunks(4 * MIB),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413 and TOO_LARGE["fr"] in chunked.text


def test_normal_forms_still_work(client: TestClient) -> None:
    token = csrf_token(client, "/verify")
    form = {"csrf_token": token, "warrant_number": "PC1", "code": "12345678"}
    page = client.post("/verify", data=form)
    assert page.status_code == 200 and "We cannot confirm" in page.text


def _send_upload(app: FastAPI, size: int) -> int:
    with TestClient(app) as client:
        return client.post("/test/upload", content=b"x" * size).status_code


def test_a_route_may_declare_a_larger_cap(app: FastAPI) -> None:
    @app.post("/test/upload")
    @body_limit(UPLOAD_BYTES)
    @cookieless
    @public
    async def upload(request: Request) -> Response:
        return PlainTextResponse(str(len(await request.body())))

    assert _send_upload(app, 2 * MIB) == 200
    assert _send_upload(app, UPLOAD_BYTES + 1) == 413


def _scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    """A JSON POST to the receipt look-up, as uvicorn would pass it to the app."""
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/v1/reports/status", "raw_path": b"/api/v1/reports/status",
        "query_string": b"", "root_path": "", "client": ("198.51.100.1", 5000),
        "server": ("testserver", 80), "headers": [(b"content-type", b"application/json"), *headers],
    }  # fmt: skip


def _call(app: FastAPI, scope: dict[str, object], body: Chunks) -> tuple[list[Message], int]:
    """Run the app on `scope`, the body coming in `CHUNK`s; what it sent, and how many bytes of
    the body it took."""
    chunks = iter(body)
    sent: list[Message] = []

    async def receive() -> Message:
        chunk = next(chunks, b"")
        return {"type": "http.request", "body": chunk, "more_body": bool(chunk)}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, body.sent


def test_a_content_length_over_the_cap_is_refused_before_reading(app: FastAPI) -> None:
    """150 MB announced, and nothing of it read."""
    size = 150 * MIB
    sent, taken = _call(app, _scope((b"content-length", str(size).encode())), Chunks(size))
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
    assert taken == 0


def test_a_chunked_body_is_cut_off_at_the_cap(app: FastAPI) -> None:
    """150 MB in chunks, no length announced: reading stops at the cap, not at the end."""
    sent, taken = _call(app, _scope(), Chunks(150 * MIB))
    assert sent[0]["status"] == 413
    assert FORM_BYTES < taken <= FORM_BYTES + CHUNK
