"""What staff sign-in needs from the settings: the server's secret key, and the lifetimes and
limits of sessions, sign-in attempts and security-key challenges.

The secret key is read here, once for every front end: the web app signs CSRF tokens and derives
its code keys from it, and seals TOTP secrets under it; `streetlight staff add` seals a new
account's secret under the same key, so that only the server can open it. `ServerSecret` is the
part of the `STREETLIGHT_*` environment that decides the key (the web app's settings extend it);
`server_secret` reads it for whoever has no web settings.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from streetlight.errors import ConfigError

SECRET_FILE_NAME = "secret.key"
MIN_SECRET_CHARS = 32
_PLACEHOLDERS = {"changeme", "change-me", "secret", "dev", "development", "test", "password"}


class ServerSecret(BaseSettings):
    """The data folder, the secret key and the environment, from `STREETLIGHT_*` variables;
    refuses a placeholder key, and a missing one in production."""

    model_config = SettingsConfigDict(env_prefix="STREETLIGHT_", frozen=True, extra="ignore")

    store: Path = Field(
        default=Path("streetlight-data"), description="Data folder (SQLite file, key)."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Signs CSRF tokens. 32+ characters."
    )
    environment: Literal["development", "production"] = "development"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServerSecret:
        if self.secret_key is None:
            if self.environment == "production":
                raise ValueError("STREETLIGHT_SECRET_KEY must be set in production")
            return self
        value = self.secret_key.get_secret_value()
        if value.lower() in _PLACEHOLDERS or len(value) < MIN_SECRET_CHARS:
            raise ValueError(
                f"STREETLIGHT_SECRET_KEY must be a random value of {MIN_SECRET_CHARS}+ characters "
                '(python -c "import secrets; print(secrets.token_urlsafe(32))")'
            )
        return self

    def secret(self) -> bytes:
        """The signing key: the setting, else (development) a random key kept in the data folder
        with owner-only permissions, so restarts keep CSRF tokens valid."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.store / SECRET_FILE_NAME
        self.store.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: of several processes starting at once, exactly one writes the key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()


class SettingsError(ConfigError):
    """A setting (environment variable or option) has a value the app refuses."""


S = TypeVar("S", bound=BaseSettings)


def from_environment(kind: type[S], **overrides: object) -> S:
    """`kind` from the environment with `overrides` on top; invalid values become one
    `SettingsError` naming the variables, not a pydantic traceback."""
    try:
        return kind(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"STREETLIGHT_{'_'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: {e['msg']}"
            for e in exc.errors()
        )
        raise SettingsError(problems) from None


def server_secret(store: Path | None = None) -> bytes:
    """The key `streetlight serve` uses with the data folder `store` (default: the environment's):
    `STREETLIGHT_SECRET_KEY`, else the folder's development key."""
    overrides = {"store": store} if store is not None else {}
    return from_environment(ServerSecret, **overrides).secret()


class StaffSettings(Protocol):
    """The lifetimes and limits of sign-in (the web app's settings provide them)."""

    @property
    def session_idle(self) -> timedelta: ...
    @property
    def session_max_age(self) -> timedelta: ...
    @property
    def signin_window(self) -> timedelta: ...
    @property
    def signin_failures_per_account(self) -> int: ...
    @property
    def signin_failures_per_client(self) -> int: ...
    @property
    def webauthn_rp_id(self) -> str: ...
    @property
    def webauthn_rp_name(self) -> str: ...
    @property
    def webauthn_expected_origin(self) -> str: ...
    @property
    def webauthn_challenge_minutes(self) -> int: ...
    @property
    def webauthn_challenge_lifetime(self) -> timedelta: ...
