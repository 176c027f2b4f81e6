"""Jinja2 pages: autoescaped, with the request's language, CSRF token and signed-in user."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from streetlight.web import csrf
from streetlight.web.context import app_context
from streetlight.web.i18n import LANGUAGES, Language, negotiate, translator


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("streetlight.web", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env, context_processors=[page_context])


def language(request: Request) -> Language:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def page_context(request: Request) -> dict[str, Any]:
    """What every page may use: `_`, `lang`, `other_languages`, `user`, `csrf_token`."""
    lang = language(request)
    principal = getattr(request.state, "principal", None)
    session_hash = principal.session_hash if principal else ""
    return {
        "_": translator(lang),
        "lang": lang,
        "other_languages": [code for code in LANGUAGES if code != lang],
        "user": principal,
        "csrf_token": csrf.token_for(
            app_context(request).secret, csrf.nonce_of(request), session_hash
        ),
    }
