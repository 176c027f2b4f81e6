"""English and French for every page: every message has both, and no page holds untranslated text."""

from __future__ import annotations

import ast
import re

import pytest
from fastapi.testclient import TestClient

from streetlight.db.enums import Role
from streetlight.web.core.i18n import FRENCH, negotiate
from tests.web.templates import WEB, template, template_files

_CALL = re.compile(r"""\b_\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")
_JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)


def _template_messages() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for page in template_files():
        text = page.read_text(encoding="utf-8")
        found[page.name] = {m.group(1) for m in _CALL.finditer(text)}
    return found


def _code_messages() -> set[str]:
    """Strings marked with N_("...") in the web package's Python modules (its areas too)."""
    found: set[str] = set()
    for module in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_":
                argument = node.args[0]
                assert isinstance(argument, ast.Constant) and isinstance(argument.value, str)
                found.add(argument.value)
    return found


def test_every_message_has_french_and_no_french_is_stale() -> None:
    in_templates = set().union(*_template_messages().values())
    in_code = _code_messages()
    assert len(in_templates) > 30 and len(in_code) > 10
    used = in_templates | in_code | {role.value for role in Role}  # role names (base.html)
    missing = sorted(m for m in used if not FRENCH.get(m))
    assert missing == [], f"no French for: {missing}"
    stale = sorted(set(FRENCH) - used)
    assert stale == [], f"French for messages no page uses: {stale}"


@pytest.mark.parametrize("name", sorted(_template_messages()))
def test_templates_hold_no_text_outside_translations(name: str) -> None:
    text = template(name).read_text(encoding="utf-8")
    bare = _TAG.sub(" ", _JINJA.sub(" ", text))
    leftover = [w for w in re.split(r"\s+", bare) if w and w not in {"·", "&middot;"}]
    assert leftover == [], f"{name}: text outside _(): {leftover}"


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "en"),
        ("fr", "en-GB", "fr"),
        ("de", "fr-FR,fr;q=0.9", "fr"),
        (None, "de-DE, fr;q=0.8, en;q=0.7", "fr"),
        (None, "en;q=0.5, fr;q=0.6", "fr"),
        (None, "fr;q=0, en", "en"),
        (None, "pt-BR", "en"),
        (None, "fr;q=bad, en;q=0.1", "en"),
    ],
)
def test_language_negotiation(query: str | None, header: str | None, expected: str) -> None:
    assert negotiate(query, header) == expected


@pytest.mark.parametrize(
    ("path", "headers", "english", "french"),
    [
        ("/", {}, "Safer streets for women and girls", "Des rues plus sûres pour les femmes"),
        ("/signin", {}, "Six-digit code", "Code à six chiffres"),
        ("/no-such-page", {}, "There is no page at this address.", "Il n'y a pas de page"),
    ],
)
def test_public_pages_in_english_and_french(
    client: TestClient, path: str, headers: dict[str, str], english: str, french: str
) -> None:
    sep = "&" if "?" in path else "?"
    en = client.get(path)
    fr = client.get(f"{path}{sep}lang=fr")
    by_header = client.get(path, headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert '<html lang="en">' in en.text and english in en.text
    assert '<html lang="fr">' in fr.text and french in fr.text.replace("&#39;", "'")
    assert '<html lang="fr">' in by_header.text


def test_french_is_plain_for_the_public() -> None:
    """Words a frightened reader takes in at once: no middle-dot inclusive forms (screen readers
    spell them out), one word for the map's pin ("marqueur"; "repère" is a landmark), the
    emergency number 112 beside 999, and "composez" for a number to key in."""
    for english, french in FRENCH.items():
        assert "·" not in french, english
        if re.search(r"\bpin\b", english, re.I):
            assert "marqueur" in french.lower(), english
        if "repère" in french.lower():
            assert "landmark" in english, english
        if "press 55" in english:
            assert "composez le 55" in french, english
    assert "112" in FRENCH["In an emergency, call 999."]
