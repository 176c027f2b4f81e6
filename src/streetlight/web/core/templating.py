"""Jinja2 pages: autoescaped, with the request's language, CSRF token and signed-in user.

One environment for the whole app: the shared layout (`base.html`, `error.html`) is in this
package's `templates/`, and each area's pages in its own package's `templates/`. Their names are
unique across the app (a test checks it), so the order of the folders decides nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from streetlight.web.core import csrf
from streetlight.web.core.context import app_context
from streetlight.web.core.i18n import LANGUAGES, Language, clock_time, negotiate, translator


def make_templates(packages: Sequence[str]) -> Jinja2Templates:
    """The templates of this package and of `packages` (each with a `templates/` folder)."""
    folders = [
        PackageLoader(package, "templates") for package in ("streetlight.web.core", *packages)
    ]
    env = Environment(
        loader=ChoiceLoader(folders),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env, context_processors=[page_context])


def language(request: Request) -> Language:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def page_context(request: Request) -> dict[str, Any]:
    """What every page may use: `_`, `lang`, `other_languages`, `user`, `csrf_token`, and
    `clock(at)` (a time as the force's wall clock, in the page's language)."""
    lang = language(request)
    context = app_context(request)
    principal = getattr(request.state, "principal", None)
    session_hash = principal.session_hash if principal else ""
    return {
        "_": translator(lang),
        "lang": lang,
        "other_languages": [code for code in LANGUAGES if code != lang],
        "user": principal,
        "csrf_token": csrf.token_for(context.secret, csrf.nonce_of(request), session_hash),
        "clock": lambda at: clock_time(at, context.settings.zone, lang),
    }
