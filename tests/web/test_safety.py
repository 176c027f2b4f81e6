"""The public safety page: the force's advice in English and French, one tap to call 999, its
service worker (what it caches, how it is served), and the links to it and to /report."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from fastapi.testclient import TestClient

from streetlight.web.pages.safety import worker_script
from tests.web.templates import template

ADVICE_EN = (
    "Where are your colleagues?",
    "Where have you come from?",
    "Why are you here?",
    "Why are you stopping me?",
    "Ask to hear their radio operator, or to speak to them.",
    "Other officers should arrive soon after",
    "Shout to a passer-by.",
    "Run into a house or a shop.",
    "Knock on a door.",
    "Wave down a bus.",
    "Call 999.",
    "press 55 when asked",
)
ADVICE_FR = (
    "Où sont vos collègues ?",
    "D'où venez-vous ?",
    "Pourquoi êtes-vous ici ?",
    "Pourquoi m'arrêtez-vous ?",
    "l'opérateur radio",
    "D'autres policiers devraient arriver peu après",
    "Criez pour alerter un passant.",
    "Réfugiez-vous dans une maison ou un magasin.",
    "Frappez à une porte.",
    "Faites signe à un bus.",
    "composez le 55",
)


def _text(page: str) -> str:
    return page.replace("&#39;", "'")


@pytest.mark.parametrize(("lang", "advice"), [("en", ADVICE_EN), ("fr", ADVICE_FR)])
def test_the_advice_in_plain_words(client: TestClient, lang: str, advice: tuple[str, ...]) -> None:
    response = client.get(f"/safety?lang={lang}")
    assert response.status_code == 200
    page = _text(response.text)
    assert f'<html lang="{lang}">' in page
    for words in advice:
        assert words in page, words
    # One tap to call 999, before anything else on the page; the check is one link away.
    assert re.search(r'<a class="call-999" href="tel:999" id="call-999">', page)
    assert page.index('id="call-999"') < page.index('id="worried"')
    assert f'href="/verify?lang={lang}"' in page and f'href="/report?lang={lang}"' in page
    assert '<script src="/static/js/safety.js" defer></script>' in page


def test_the_service_worker_is_served_for_the_safety_scope(client: TestClient) -> None:
    response = client.get("/safety-sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert "content-security-policy" in response.headers
    script = response.text
    assert "__VERSION__" not in script and script == worker_script()
    cached = re.findall(r'"(/[^"]*)"', script.split("async function fill")[0])
    assert {"/safety?lang=en", "/safety?lang=fr", "/static/css/site.css"} <= set(cached)
    for path in cached:  # everything it caches exists
        assert client.get(path).status_code == 200, path
    registration = (files("streetlight.web") / "static" / "js" / "safety.js").read_text()
    assert 'register("/safety-sw.js", { scope: "/safety" })' in registration


def test_the_worker_version_follows_the_page(client: TestClient) -> None:
    version = re.search(r'const VERSION = "([^"]+)"', worker_script())
    assert version and re.fullmatch(r"[0-9.]+[-+.\w]*-[0-9a-f]{12}", version.group(1))


def test_home_and_every_page_link_to_report_and_safety(client: TestClient) -> None:
    home = client.get("/?lang=fr").text
    assert 'id="report-link"' in home and 'id="safety-link"' in home
    for path in ("/", "/verify", "/signin", "/safety", "/report"):
        page = client.get(path).text
        assert 'href="/report?lang=en"' in page and 'href="/safety?lang=en"' in page, path


@pytest.mark.parametrize(
    "name", ["report.html", "report_done.html", "receipt.html", "safety.html", "home.html"]
)
def test_no_inline_script_or_style(name: str) -> None:
    """The CSP allows neither; a page that relied on one would break in the browser."""
    page = template(name).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\sstyle=|\son[a-z]+=", page)
