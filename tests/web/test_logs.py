"""The access log keeps neither client addresses nor a check's chat token."""

from __future__ import annotations

import logging

from streetlight.web.core.logs import AccessLogFilter, redact_path


def test_tokens_and_addresses_are_removed() -> None:
    assert redact_path("/verify/chat/abcDEF_123-xyz?lang=fr") == "/verify/chat/…?lang=fr"
    assert redact_path("/verify/photo/abc") == "/verify/photo/…"
    assert redact_path("/verify?lang=fr") == "/verify?lang=fr"
    # What someone typed into the report map's street finder: where they felt unsafe.
    assert redact_path("/report/places?q=albert%20road") == "/report/places?…"
    assert redact_path("/report/places") == "/report/places"
    assert redact_path("/report?lang=fr") == "/report?lang=fr"
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("198.51.100.7:5000", "GET", "/verify/chat/secret-token", "1.1", 200), None,
    )  # fmt: skip
    assert AccessLogFilter().filter(record)
    message = record.getMessage()
    assert "198.51.100.7" not in message and "secret-token" not in message
