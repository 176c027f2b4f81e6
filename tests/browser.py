"""Headless Chromium for tests that must prove a page really renders, prints and fits a phone.

A missing browser fails the test rather than skipping it: a skipped browser test proves nothing,
and `./run test` installs Chromium when it is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

FALLBACK = Path("/usr/bin/chromium")
TIMEOUT_SECONDS = 120
# Chromium's own traffic is switched off so a test never waits on, or leaks to, the network.
QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def chromium() -> str:
    """The Chromium executable, or a test failure that says how to get one."""
    found = shutil.which("chromium") or (str(FALLBACK) if FALLBACK.exists() else None)
    if found is None:
        pytest.fail(
            "Chromium is not installed: the browser tests need it. `./run test` installs it "
            "(apt-get install chromium); or install it yourself and run pytest again.",
            pytrace=False,
        )
    return found


def run_chromium(page: Path, profile: Path, *flags: str) -> None:
    """Open `page` (a local file) in a fresh headless profile with extra `flags`; fail the test
    with Chromium's output when it exits with an error or hangs."""
    command = [
        chromium(),
        *QUIET_FLAGS,
        f"--user-data-dir={profile}",
        *flags,
        page.resolve().as_uri(),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"Chromium took over {TIMEOUT_SECONDS} s on {page}", pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            f"Chromium exited with {done.returncode} on {page}:\n{done.stderr[-2000:]}",
            pytrace=False,
        )


def print_pdf(page: Path, pdf: Path, profile: Path) -> bytes:
    """Print `page` to `pdf` as the browser's print dialog would (the page's @page size and
    margins, no header or footer) and return the PDF's bytes."""
    run_chromium(page, profile, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    if not pdf.exists():
        pytest.fail(f"Chromium wrote no PDF for {page}", pytrace=False)
    return pdf.read_bytes()


def pdf_pages(data: bytes) -> int:
    """Page objects in a PDF (`/Type /Page`, not the `/Pages` tree nodes)."""
    return len(PAGE.findall(data))


def screenshot(page: Path, png: Path, profile: Path, width: int, height: int) -> Path:
    """A PNG of the top of `page` in a window of `width` x `height` CSS pixels."""
    run_chromium(page, profile, f"--window-size={width},{height}", f"--screenshot={png}")
    if not png.exists():
        pytest.fail(f"Chromium wrote no screenshot for {page}", pytrace=False)
    return png
