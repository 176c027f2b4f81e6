"""The public safety page, `/safety`: the force's advice in plain words, one tap to call 999, in
English and French, and readable offline once visited.

Offline: `/safety-sw.js` is a service worker (registered by `static/js/safety.js`, an external
script as the CSP requires) that caches `/safety?lang=en`, `/safety?lang=fr` and their CSS and
script when it installs, and answers from that cache when the network does not. It is served
from the site's root so that its scope may be `/safety` (a worker's scope cannot be above its
own folder). Its cache name carries a digest of what the offline page is made of, so any change
to it installs a new worker, which refreshes the copies.
"""

from __future__ import annotations

import functools
import hashlib
from importlib.resources import files

from fastapi import APIRouter, Request
from starlette.responses import Response

from streetlight import __version__
from streetlight.web.core.deps import TemplatesDep, public, sessionless

router = APIRouter(include_in_schema=False)

_STATIC = files("streetlight.web") / "static"
_CORE = files("streetlight.web.core")
WORKER = _STATIC / "js" / "safety-sw.js"
# What the cached page is built from: a change to any of them is a new offline copy.
_PARTS = (
    WORKER,
    files("streetlight.web.pages") / "templates" / "safety.html",
    _CORE / "templates" / "base.html",
    _STATIC / "css" / "site.css",
    _STATIC / "js" / "safety.js",
    _CORE / "i18n.py",
)


@functools.cache
def worker_script() -> str:
    """The worker with its version: the app's, and a digest of `_PARTS` (read once)."""
    digest = hashlib.sha256()
    for part in _PARTS:
        digest.update(part.read_bytes())
    version = f"{__version__}-{digest.hexdigest()[:12]}"
    return WORKER.read_text(encoding="utf-8").replace("__VERSION__", version)


@router.get("/safety")
@sessionless
@public
def safety_page(request: Request, templates: TemplatesDep) -> Response:
    """The advice, the same for everyone: it never reads the session, so it answers even when
    the database is down and a staff member's browser sends its cookie."""
    return templates.TemplateResponse(request, "safety.html")


@router.get("/safety-sw.js")
@sessionless
@public
def safety_worker() -> Response:
    """The worker's script. `no-cache`: browsers check it for a new version on each visit."""
    return Response(
        worker_script(), media_type="text/javascript", headers={"cache-control": "no-cache"}
    )
