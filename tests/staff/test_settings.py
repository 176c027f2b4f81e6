"""The server's secret key: refused when it is a placeholder (or missing in production), else the
setting, else a development key kept in the data folder; the web app and the command line read
the same key."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetlight.staff.settings import SettingsError, server_secret
from streetlight.web.core.settings import load_settings


def test_settings_refuse_placeholder_secrets(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="STREETLIGHT_SECRET_KEY"):
        load_settings(store=tmp_path, secret_key="changeme")
    with pytest.raises(SettingsError, match="must be set in production"):
        load_settings(store=tmp_path, environment="production")
    key = load_settings(store=tmp_path).secret()
    assert key == load_settings(store=tmp_path).secret() and len(key) >= 32  # kept in the store
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_the_command_line_reads_the_servers_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert server_secret(tmp_path) == load_settings(store=tmp_path).secret()
    monkeypatch.setenv("STREETLIGHT_SECRET_KEY", "k" * 40)
    assert server_secret(tmp_path) == b"k" * 40
    monkeypatch.setenv("STREETLIGHT_SECRET_KEY", "changeme")
    with pytest.raises(SettingsError, match="STREETLIGHT_SECRET_KEY"):
        server_secret(tmp_path)
