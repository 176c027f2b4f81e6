"""FastAPI dependencies: the app's parts a route needs, the request's database transaction, who
is signed in, and the checks every route passes through.

A route declares what it uses as `Annotated` parameters (`settings: SettingsDep`, `clock:
ClockDep`, `templates: TemplatesDep`, ...). Each of the app's parts is read from the app's context
(`streetlight.web.core.context`) by an `async def` function: a plain attribute read on the event
loop, never a trip through the thread pool (which the public check, tuned for latency, cannot
afford).

Deny by default: the app runs `deny_by_default` and `csrf_protect` before every route, so a new
route needs a signed-in user and, for POST and the like, a CSRF token, unless its function is
marked `@public` (which lifts only the sign-in requirement, never CSRF). Roles are then narrowed
per route with `require_roles(...)`.

`@cookieless` (on top of `@public`) lifts the CSRF check too, and only for routes that act on no
ambient authority: they read no cookie and no session, and whatever they allow comes from the
request body or headers alone (a warrant number and code, a token the caller holds). CSRF is a
browser sending the *victim's* cookies with a request another site forged; a forged request to
such a route carries nothing the forging site could not send itself, so it gains nothing. A test
checks that no cookieless route depends on the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.templating import Jinja2Templates

from streetlight.db.models import OfficerStatus, Role, StaffUser
from streetlight.errors import AuthError
from streetlight.reports.area import ReportArea
from streetlight.staff import sessions
from streetlight.staff.passwords import Passwords
from streetlight.verify.engagements import Rules
from streetlight.web.core import cookies, csrf
from streetlight.web.core.clock import Clock
from streetlight.web.core.context import AppContext, Checks, app_context, is_https
from streetlight.web.core.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
_PUBLIC = "__streetlight_public__"
_COOKIELESS = "__streetlight_cookieless__"
_SESSIONLESS = "__streetlight_sessionless__"


class NotSignedInError(AuthError):
    """No valid session: HTML pages redirect to the sign-in page, the API answers 401."""


class ForbiddenError(AuthError):
    """Signed in, but the role (or duty state) does not allow this: 403."""


def public(endpoint: F) -> F:
    """Mark a route as open to anyone (apply below the `@router.get(...)` decorator)."""
    setattr(endpoint, _PUBLIC, True)
    return endpoint


def is_public(endpoint: object) -> bool:
    return bool(getattr(endpoint, _PUBLIC, False))


def cookieless(endpoint: F) -> F:
    """Mark a public route that uses no cookie or session as exempt from CSRF (see above);
    apply it above `@public`: `@router.post(...)`, `@cookieless`, `@public`, `def ...`."""
    if not is_public(endpoint):
        raise TypeError(f"{endpoint!r}: @cookieless routes must also be @public")
    setattr(endpoint, _COOKIELESS, True)
    return endpoint


def is_cookieless(endpoint: object) -> bool:
    return bool(getattr(endpoint, _COOKIELESS, False)) and is_public(endpoint)


def sessionless(endpoint: F) -> F:
    """Mark a public page that never reads the session, so that it answers even with the
    database down (the safety advice): it shows everyone as not signed in. Apply it above
    `@public`."""
    if not is_public(endpoint):
        raise TypeError(f"{endpoint!r}: @sessionless routes must also be @public")
    setattr(endpoint, _SESSIONLESS, True)
    return endpoint


def is_sessionless(endpoint: object) -> bool:
    return bool(getattr(endpoint, _SESSIONLESS, False)) and is_public(endpoint)


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises.

    Used with `scope="function"` so the commit happens before the response is sent: a reply never
    claims a change that then failed to commit.
    """
    with app_context(request).sessions.begin() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def _part(read: Callable[[AppContext], T]) -> Callable[[Request], Coroutine[Any, Any, T]]:
    """A dependency giving `read(context)`: an `async def`, so FastAPI runs it on the event loop."""

    async def dependency(request: Request) -> T:
        return read(app_context(request))

    return dependency


# The whole context: for work handed to a worker thread that needs several of its parts.
ContextDep = Annotated[AppContext, Depends(_part(lambda context: context))]
EngineDep = Annotated[Engine, Depends(_part(lambda context: context.engine))]
SettingsDep = Annotated[Settings, Depends(_part(lambda context: context.settings))]
ClockDep = Annotated[Clock, Depends(_part(lambda context: context.clock))]
TemplatesDep = Annotated[Jinja2Templates, Depends(_part(lambda context: context.templates))]
# Where public reports may be pinned (None: typed places only).
ReportAreaDep = Annotated[ReportArea | None, Depends(_part(lambda context: context.report_area))]
# The verification rules: the key of the officers' codes, their lifetime, backup distances.
RulesDep = Annotated[Rules, Depends(_part(lambda context: context.rules))]
# The public checks' batches (`streetlight.web.verify.checks`).
ChecksDep = Annotated[Checks, Depends(_part(lambda context: context.checks))]
PasswordsDep = Annotated[Passwords, Depends(_part(lambda context: context.passwords))]
# The server's secret key (`streetlight.staff.settings`): signs CSRF tokens, keys derive from it.
SecretDep = Annotated[bytes, Depends(_part(lambda context: context.secret))]
# Opens the stored TOTP secrets (`streetlight.staff.totp.sealing_key` of the secret).
TotpKeyDep = Annotated[bytes, Depends(_part(lambda context: context.totp_key))]


@dataclass(frozen=True)
class Principal:
    """Who is signed in, as plain values (pages and error pages may render after the request's
    transaction has ended), and their session's hash (CSRF tokens are bound to it)."""

    user_id: int
    username: str
    display_name: str
    role: Role
    warrant_number: str | None
    session_hash: str


async def authenticate(request: Request) -> Principal | None:
    """The signed-in staff member, checked afresh on every request: session live, account
    active, and (for an officer's account) the officer not suspended.

    A request without a session cookie (the public's, all of them) is answered here, on the
    event loop: it needs neither the database nor a trip through the thread pool, which matters
    for a public check's latency under load. A signed-in request is checked in its own short
    transaction, committed before the route runs (so a touched session stays touched). A
    `@sessionless` page never looks.
    """
    token = request.cookies.get(cookies.cookie_name(is_https(request)))
    if not token or is_sessionless(request.scope.get("endpoint")):
        return None
    principal = await run_in_threadpool(_principal, app_context(request), token)
    request.state.principal = principal
    return principal


def _principal(context: AppContext, token: str) -> Principal | None:
    with context.sessions.begin() as db:
        row = sessions.load_session(db, token, context.settings, context.clock())
        if row is None:
            return None
        user = row.user
        if not user.active or (user.officer and user.officer.status is not OfficerStatus.ACTIVE):
            return None
        return Principal(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            warrant_number=user.officer.warrant_number if user.officer else None,
            session_hash=row.token_hash,
        )


MaybePrincipal = Annotated[Principal | None, Depends(authenticate)]


async def deny_by_default(request: Request, principal: MaybePrincipal) -> None:
    """Every route needs a signed-in user unless it is marked `@public`."""
    if principal is None and not is_public(request.scope.get("endpoint")):
        raise NotSignedInError


async def csrf_protect(request: Request, principal: MaybePrincipal) -> None:
    """Every unsafe request (POST, PUT, PATCH, DELETE) needs a valid CSRF token, except on
    `@cookieless` routes."""
    if is_cookieless(request.scope.get("endpoint")):
        return
    session_hash = principal.session_hash if principal else ""
    await csrf.check(request, app_context(request).secret, session_hash)


def require_user(principal: MaybePrincipal, db: DbSession) -> StaffUser:
    """The signed-in account, in this request's transaction (no query: `authenticate` loaded it)."""
    if principal is None:
        raise NotSignedInError
    user = db.get(StaffUser, principal.user_id)
    if user is None:  # pragma: no cover - deleted between two statements of this request
        raise NotSignedInError
    return user


CurrentUser = Annotated[StaffUser, Depends(require_user)]


def require_roles(*roles: Role) -> Callable[[StaffUser], StaffUser]:
    """A dependency that lets only `roles` through (403 for anyone else signed in)."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> StaffUser:
        if user.role not in allowed:
            raise ForbiddenError
        return user

    check.__name__ = "require_" + "_or_".join(sorted(r.value for r in allowed))
    return check
