"""Reading a store in an S3 bucket: the manifest through pyarrow's S3 client, the partitions
through polars' own (`pl.scan_parquet(urls, storage_options=...)`).

Credentials and the endpoint come from the environment of the process that reads, each time it
reads: never from arguments, because the all-forces tasks carry only the store's URL through the
Dask scheduler and each worker reads its own `AWS_*` variables (or falls back to the usual AWS
chain: an instance role, a profile). They are never printed: the secret fields are left out of
`repr`, and any error text from the S3 clients is scrubbed of them before it is raised.

Imports nothing heavy at module level: pyarrow's S3 client is loaded only to read from a bucket.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from streetlight.errors import StoreError
from streetlight.store.location import Location, StoreURL

if TYPE_CHECKING:
    from pyarrow.fs import S3FileSystem


class StoreAccessError(StoreError):
    """A store in a bucket cannot be read: refused credentials, no such endpoint, no network."""


@dataclass(frozen=True)
class S3Settings:
    """How to reach S3 from this process, as its environment says.

    Attributes:
        region: `AWS_REGION`, else `AWS_DEFAULT_REGION`; None: the client's default.
        endpoint: `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`: an S3-compatible server
            (MinIO, Ceph, a cloud's S3 API); None: AWS itself. Plain http is allowed only when
            this URL says http://.
        access_key, secret_key, session_token: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
            `AWS_SESSION_TOKEN`; None: the clients' own chain (instance role, profile).
    """

    region: str | None = None
    endpoint: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> S3Settings:
        env = os.environ if env is None else env
        return cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            endpoint=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None,
            access_key=env.get("AWS_ACCESS_KEY_ID") or None,
            secret_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=env.get("AWS_SESSION_TOKEN") or None,
        )

    @property
    def plain_http(self) -> bool:
        return self.endpoint is not None and self.endpoint.lower().startswith("http://")

    def polars_options(self) -> dict[str, str]:
        """`storage_options` for polars' object store: only what is set, so that the rest comes
        from its own defaults."""
        options: dict[str, str] = {}
        if self.access_key and self.secret_key:
            options["aws_access_key_id"] = self.access_key
            options["aws_secret_access_key"] = self.secret_key
            if self.session_token:
                options["aws_session_token"] = self.session_token
        if self.region:
            options["aws_region"] = self.region
        if self.endpoint:
            options["aws_endpoint_url"] = self.endpoint
            if self.plain_http:
                options["aws_allow_http"] = "true"
        return options

    def filesystem(self) -> S3FileSystem:
        """pyarrow's S3 client with these settings (path-style requests, as S3-compatible
        servers expect when given an endpoint)."""
        from pyarrow.fs import S3FileSystem

        keys = {}
        if self.access_key and self.secret_key:
            keys = {"access_key": self.access_key, "secret_key": self.secret_key}
            if self.session_token:
                keys["session_token"] = self.session_token
        endpoint = {}
        if self.endpoint:
            scheme, _, host = self.endpoint.partition("://")
            endpoint = {"endpoint_override": host.rstrip("/"), "scheme": scheme.lower()}
        return S3FileSystem(region=self.region, **keys, **endpoint)  # type: ignore[arg-type]

    def scrub(self, text: str) -> str:
        """`text` without the secret, the session token or the access key id in it: each where
        it stands as a whole token (keys are base64-like), so that a short test key ("a") does
        not blank every letter of the message."""
        for secret in (self.secret_key, self.session_token, self.access_key):
            if secret:
                token = rf"(?<![A-Za-z0-9/+=]){re.escape(secret)}(?![A-Za-z0-9/+=])"
                text = re.sub(token, "***", text)
        return text


def scan_options(location: Location) -> dict[str, str] | None:
    """`storage_options` for reading the store's files with polars: None for a local folder."""
    if isinstance(location, Path):
        return None
    return S3Settings.from_env().polars_options()


def read_object(url: StoreURL) -> bytes:
    """The bytes of one object. FileNotFoundError when the object or the bucket does not exist
    (the caller knows what was missing); `StoreAccessError` when it cannot be read at all."""
    settings = S3Settings.from_env()
    try:
        with settings.filesystem().open_input_stream(f"{url.bucket}/{url.key}") as stream:
            return bytes(stream.read())
    except FileNotFoundError:
        raise FileNotFoundError(str(url)) from None
    except OSError as exc:
        raise _access_error(url, settings, exc) from None


@contextlib.contextmanager
def bucket_errors(location: StoreURL) -> Iterator[None]:
    """Errors of polars' reads from the bucket as a `StoreAccessError`, scrubbed of secrets."""
    try:
        yield
    except OSError as exc:
        raise _access_error(location, S3Settings.from_env(), exc) from None


def _access_error(url: StoreURL, settings: S3Settings, exc: OSError) -> StoreAccessError:
    # `from None` at the raise: the original exception's text is not scrubbed.
    where = f" at {settings.endpoint}" if settings.endpoint else ""
    return StoreAccessError(
        f"{url}: cannot read from the bucket{where} ({settings.scrub(str(exc))}); check the "
        "credentials and endpoint in this machine's environment (AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL) or its instance role"
    )


__all__ = ["S3Settings", "StoreAccessError", "bucket_errors", "read_object", "scan_options"]
