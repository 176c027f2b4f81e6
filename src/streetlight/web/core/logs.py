"""What the server's access log may hold: no client address (the public leaves no identifying
trace), no capability token (a check's token in `/verify/chat/...` opens that person's chat), no
offender unit's person token (`/unit/people/...`, also inside a sign-in redirect's `next=`: it
ties a visit to someone in the casework) and no street typed into the report map's finder
(`/report/places?q=...`: where someone felt unsafe)."""

from __future__ import annotations

import logging
import re

_TOKEN_PATH = re.compile(r"(/verify/(?:chat|photo)/|/unit/people/)[^/?#&\s]+")
_PLACES_QUERY = re.compile(r"^(/report/places)\?.*$", re.S)


def redact_path(path: str) -> str:
    return _PLACES_QUERY.sub(r"\1?…", _TOKEN_PATH.sub(r"\1…", path))


class AccessLogFilter(logging.Filter):
    """For uvicorn's access log, whose arguments are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, path, version, status = args
            record.args = ("-", method, redact_path(str(path)), version, status)
        return True


def install() -> None:
    """Attach the filter to uvicorn's access logger (it survives uvicorn's logging set-up)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogFilter) for f in logger.filters):
        logger.addFilter(AccessLogFilter())
