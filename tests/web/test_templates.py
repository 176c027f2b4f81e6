"""Every area of the web app ships its pages in its own `templates/` folder, all loaded by one
Jinja environment: a name shipped twice would be served from whichever folder comes first."""

from __future__ import annotations

from collections import Counter

from streetlight.web.app import AREAS
from tests.web.templates import WEB, template_files, template_folders


def test_no_two_areas_ship_the_same_template_name() -> None:
    names = Counter(page.name for page in template_files())
    assert names and not [name for name, count in names.items() if count > 1]


def test_every_templates_folder_is_loaded() -> None:
    loaded = {"streetlight.web.core", *(area.__name__ for area in AREAS)}
    packages = {
        ".".join(("streetlight", *folder.parent.relative_to(WEB.parent).parts))
        for folder in template_folders()
    }
    assert packages == loaded
