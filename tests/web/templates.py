"""The web app's templates, wherever they are: the shared layout in `web/core/templates/` and
each area's pages in its own package's `templates/` folder."""

from __future__ import annotations

from pathlib import Path

import streetlight.web

WEB = Path(streetlight.web.__file__).parent


def template_folders() -> list[Path]:
    return sorted(WEB.rglob("templates"))


def template_files() -> list[Path]:
    """Every template, sorted by name (names are unique across the app: test_templates.py)."""
    return sorted(
        (page for folder in template_folders() for page in folder.glob("*.html")),
        key=lambda page: page.name,
    )


def template(name: str) -> Path:
    """The template called `name`."""
    (found,) = (page for page in template_files() if page.name == name)
    return found
