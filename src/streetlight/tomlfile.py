"""Reading the small TOML files users write (mappings, harm tables) with errors that name them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from streetlight.errors import StreetlightError


def read_toml(path: Path, what: str, error: type[StreetlightError]) -> dict[str, Any]:
    """The parsed file, or `error` saying which file and what is wrong with it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{path}: {what} not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid TOML ({exc})") from exc
