"""Security headers on every response, static files and errors included.

The CSP allows scripts, styles, images and connections from this origin only, and no inline
script or style (templates use classes and `/static/js/*.js` files). HSTS is sent only over HTTPS:
on plain HTTP a browser ignores it, and sending it from a development server on localhost would
pin that name to HTTPS for two years.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(*, img_sources: tuple[str, ...] = ()) -> str:
    """The policy; `img_sources` are extra origins images may come from (the force's own map
    tile server, `Settings.map_tiles`). Leaflet sets element styles through the CSSOM, which
    `style-src 'self'` allows; no inline script or style attribute is ever allowed."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(("img-src 'self'", *img_sources)),
            "connect-src 'self'",
            "form-action 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


CSP = content_security_policy()
PERMISSIONS = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"
HSTS = "max-age=63072000; includeSubDomains"
COMMON = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": PERMISSIONS,
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds `COMMON` (and HSTS over HTTPS) to every HTTP response; pages that set no caching
    policy get `Cache-Control: no-store`, so staff pages never sit in a shared cache. `csp`
    replaces the default policy (an app with a map tile server allows its images)."""

    def __init__(self, app: ASGIApp, *, behind_tls: bool, csp: str = CSP) -> None:
        self.app = app
        self.behind_tls = behind_tls
        self.headers = {**COMMON, "content-security-policy": csp}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.behind_tls or scope.get("scheme") == "https"
        static = str(scope.get("path", "")).startswith("/static/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if https:
                    headers["strict-transport-security"] = HSTS
                if not static and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette answers unhandled errors outside every user middleware, so without this
            # a 500 would go out bare. Answer here, with the headers; then let it propagate to be
            # logged (the outer handler sees the response has started and sends nothing more).
            if not started:
                await PlainTextResponse("Internal Server Error", status_code=500)(
                    scope, receive, send_with_headers
                )
            raise
