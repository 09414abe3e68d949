"""Fixtures shared by the browser tests (``test_browser.py``, ``test_slides_browser.py``)."""
from __future__ import annotations

import pytest

from test_browser import CHROMIUM_ARGS, _chromium_path, _missing


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright, one per test process (skipped without it,
    failed in CI)."""
    path = _chromium_path()
    if path is None:
        _missing("Chromium is not installed (no `chromium` on PATH, no /usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
