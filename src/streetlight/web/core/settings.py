"""Settings, read from `STREETLIGHT_*` environment variables when the app is built (never at import).

`STREETLIGHT_STORE` (data folder, shared with the incident store's default), `STREETLIGHT_DATABASE_URL`,
`STREETLIGHT_SECRET_KEY`, `STREETLIGHT_ENVIRONMENT` (`development` or `production`),
`STREETLIGHT_BEHIND_TLS` (true when a TLS proxy sits in front: cookies get `Secure`, responses HSTS),
`STREETLIGHT_FORWARDED_ALLOW_IPS` (the proxies whose `X-Forwarded-For` is believed; none by default),
`STREETLIGHT_TIMEZONE` (the force's IANA time zone, default `Europe/London`: pages show times on
its wall clock).
Security keys (WebAuthn) need `STREETLIGHT_WEBAUTHN_RP_ID` (the site's domain, `police.example.org`)
and `STREETLIGHT_WEBAUTHN_ORIGIN` (the exact address staff type, `https://police.example.org`); the
defaults suit a development server opened at `http://localhost:8000`.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from streetlight.db.engine import sqlite_url
from streetlight.db.ratelimit import Limit
from streetlight.reports.area import AREA_FILE_NAME, ReportArea
from streetlight.reports.submission import ReportLimits, default_limits
from streetlight.staff.settings import ServerSecret, from_environment
from streetlight.verify import guessing
from streetlight.verify.codes import code_key
from streetlight.verify.engagements import Rules
from streetlight.verify.service import Limits


class Settings(ServerSecret):
    """Everything the app needs to start; immutable once built. The data folder, secret key and
    environment are `ServerSecret`'s (`streetlight.staff.settings`)."""

    database_url: str | None = Field(
        default=None, description="Default: SQLite in the data folder."
    )
    behind_tls: bool = Field(
        default=False, description="Served over HTTPS (directly or by a proxy)."
    )
    timezone: str = Field(
        default="Europe/London",
        description="The force's time zone (an IANA name): the clock times pages show.",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Addresses or networks (comma-separated, e.g. 10.0.0.5,10.1.0.0/16; * for "
        "any) of the proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto "
        "are believed. Default: none, so a client cannot choose the address its per-client "
        "limits count.",
    )
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: int = Field(default=12, ge=1, le=7 * 24)
    signin_failures_per_account: int = Field(default=5, ge=1)
    signin_failures_per_client: int = Field(default=20, ge=1)
    signin_window_minutes: int = Field(default=15, ge=1)
    # On-the-spot verification: see streetlight.verify and docs/web.md.
    code_minutes: int = Field(
        default=5, ge=1, le=5, description="How long a verification code is valid (at most 5)."
    )
    verify_failures_per_warrant: int = Field(
        default=guessing.CODE_TRIES_PER_DAY,
        ge=1,
        le=guessing.MAX_CODE_TRIES_PER_DAY,
        description="Wrong tries at an officer's live codes per warrant number and UTC day, "
        "then checks of that number are refused (see streetlight.verify.guessing).",
    )
    verify_failures_per_client: int = Field(default=20, ge=1)
    verify_window_minutes: int = Field(default=10, ge=1)
    verify_timeout_seconds: float = Field(
        default=3.0, gt=0, le=30, description="Past this a verification answers 'cannot confirm'."
    )
    verify_answer_floor_ms: float = Field(
        default=10.0,
        ge=0,
        le=1000,
        description="A public check answers no sooner than this after it starts, whatever it "
        "found, so that the outcome cannot be told from the time (keep it above a quiet "
        "check's own time).",
    )
    colleague_radius_m: float = Field(
        default=500.0, gt=0, description="A same-team colleague this close means no backup."
    )
    position_max_age_minutes: int = Field(
        default=15, ge=1, description="Older last known positions are not trusted."
    )
    backup_speed_kmh: float = Field(
        default=25.0, gt=0, description="Straight-line speed used for a backup unit's ETA."
    )
    console_poll_seconds: float = Field(default=0.5, gt=0, le=10)
    console_stream_seconds: float = Field(
        default=300.0, gt=0, description="An event stream ends after this; browsers reconnect."
    )
    # Public reports of places where people feel unsafe: web/reports/router.py.
    report_area: Path | None = Field(
        default=None,
        description="GeoJSON boundary (WGS84) reports may be pinned in; default: "
        "report-area.geojson in the data folder when it exists, else typed places only.",
    )
    report_submissions_per_hour: int = Field(
        default=5, ge=1, description="Reports accepted per client (hashed address) per hour."
    )
    report_min_seconds: float = Field(
        default=3.0, ge=0, le=600, description="A form sent back sooner is refused as a script."
    )
    receipt_lookups_per_hour: int = Field(
        default=20, ge=1, description="Unknown receipt codes tried per client per hour."
    )
    map_tiles: str | None = Field(
        default=None,
        description="XYZ tile URL template of the force's own tile server "
        "(https://tiles.example.org/{z}/{x}/{y}.png); default: the area outline only.",
    )

    # Security keys as a second factor (streetlight/staff/webauthn.py, docs/web.md). A key is bound to the
    # RP ID when registered: changing it later makes every registered key useless.
    webauthn_rp_id: str = Field(
        default="localhost",
        description="The site's domain security keys are registered for (no scheme or port).",
    )
    webauthn_origin: str = Field(
        default="http://localhost:8000",
        description="The exact origin (scheme, host, port) staff sign in from; its host must be "
        "the RP ID or under it. Plain http only for localhost, as browsers require.",
    )
    webauthn_rp_name: str = Field(
        default="Streetlight", min_length=1, max_length=64, description="Shown by the browser."
    )
    webauthn_challenge_minutes: int = Field(
        default=5, ge=1, le=10, description="How long a security-key challenge may be answered."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use a name like Europe/London)"
            ) from None
        return value

    @model_validator(mode="after")
    def _check_webauthn(self) -> Settings:
        rp_id = self.webauthn_rp_id
        if not rp_id or rp_id != rp_id.lower() or any(c in rp_id for c in ":/ \t"):
            raise ValueError(
                "STREETLIGHT_WEBAUTHN_RP_ID must be a bare lowercase domain (example.org)"
            )
        origin = urlsplit(self.webauthn_origin)
        host = origin.hostname or ""
        if origin.path not in ("", "/") or origin.query or origin.fragment or not host:
            raise ValueError("STREETLIGHT_WEBAUTHN_ORIGIN must be scheme://host[:port], no path")
        if host != rp_id and not host.endswith("." + rp_id):
            raise ValueError("STREETLIGHT_WEBAUTHN_ORIGIN's host must be the RP ID or under it")
        if origin.scheme != "https" and not (origin.scheme == "http" and host == "localhost"):
            raise ValueError(
                "STREETLIGHT_WEBAUTHN_ORIGIN must be https:// (http only for localhost)"
            )
        return self

    @model_validator(mode="after")
    def _check_map_tiles(self) -> Settings:
        if self.map_tiles is not None:
            tiles = urlsplit(self.map_tiles)
            if tiles.scheme not in ("https", "http") or not tiles.netloc:
                raise ValueError("STREETLIGHT_MAP_TILES must be an https:// URL template")
            if not all(part in self.map_tiles for part in ("{z}", "{x}", "{y}")):
                raise ValueError("STREETLIGHT_MAP_TILES must hold {z}, {x} and {y}")
        return self

    @model_validator(mode="after")
    def _check_forwarded_allow_ips(self) -> Settings:
        for item in self.trusted_proxies:
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"STREETLIGHT_FORWARDED_ALLOW_IPS: {item!r} is not an address or network "
                    "(use e.g. 10.0.0.5,10.1.0.0/16, or * for any)"
                ) from None
        return self

    @property
    def trusted_proxies(self) -> list[str]:
        """`forwarded_allow_ips` as a list (empty: trust no forwarded header)."""
        return [item.strip() for item in self.forwarded_allow_ips.split(",") if item.strip()]

    @property
    def tile_origin(self) -> str | None:
        """Where map tiles come from, as a CSP source (`{s}` subdomains become a wildcard)."""
        if self.map_tiles is None:
            return None
        tiles = urlsplit(self.map_tiles)
        return f"{tiles.scheme}://{tiles.netloc.replace('{s}.', '*.')}"

    @property
    def resolved_report_area(self) -> Path | None:
        """The report area's GeoJSON: the setting, else the data folder's file when present."""
        if self.report_area is not None:
            return self.report_area
        default = self.store / AREA_FILE_NAME
        return default if default.is_file() else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo keeps one instance per name

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or sqlite_url(self.store)

    @property
    def verify_window(self) -> timedelta:
        return timedelta(minutes=self.verify_window_minutes)

    @property
    def code_lifetime(self) -> timedelta:
        return timedelta(minutes=self.code_minutes)

    @property
    def position_max_age(self) -> timedelta:
        return timedelta(minutes=self.position_max_age_minutes)

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_max_age(self) -> timedelta:
        return timedelta(hours=self.session_max_hours)

    @property
    def webauthn_expected_origin(self) -> str:
        """The origin a browser reports in a security key's client data (no trailing slash)."""
        return self.webauthn_origin.rstrip("/")

    @property
    def webauthn_challenge_lifetime(self) -> timedelta:
        return timedelta(minutes=self.webauthn_challenge_minutes)

    @property
    def signin_window(self) -> timedelta:
        return timedelta(minutes=self.signin_window_minutes)


def verify_rules(settings: Settings, secret: bytes) -> Rules:
    """The verification service's rules, as plain values (its code key derived from `secret`)."""
    return Rules(
        key=code_key(secret),
        lifetime_minutes=settings.code_minutes,
        radius_m=settings.colleague_radius_m,
        max_age_minutes=settings.position_max_age_minutes,
        speed_kmh=settings.backup_speed_kmh,
    )


def verify_limits(settings: Settings) -> Limits:
    window = settings.verify_window
    return Limits(
        per_client=Limit("verify:client", settings.verify_failures_per_client, window),
        per_warrant=guessing.per_warrant(settings.verify_failures_per_warrant),
    )


def report_area(settings: Settings) -> ReportArea | None:
    """The area pins may be put in, read from its GeoJSON (`SourceError` naming the file when it
    cannot be used); None when there is none: reports then give the place in words."""
    path = settings.resolved_report_area
    return ReportArea.from_geojson(path) if path is not None else None


def report_limits(settings: Settings) -> ReportLimits:
    return default_limits(settings.report_submissions_per_hour)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with `overrides` on top (`SettingsError` when invalid)."""
    return from_environment(Settings, **overrides)
