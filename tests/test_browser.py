"""Real-browser tests: JupyterLab + headless Chromium, driven through Playwright.

The test starts JupyterLab on 127.0.0.1 (free port, random token, every Jupyter directory in a
temporary folder, news and update checks off), opens a notebook that shows ``playground()``,
runs it, moves the "learning rate" and "dropout" sliders with the keyboard and checks that the
picture and the verdict change; then the same in a live presentation (jupyterlab-slideshow's deck
mode). Screenshots are saved under ``tests/artifacts/``. The offline decks are tested in
``test_slides_browser.py``.

Needs Debian's Chromium (``apt-get install chromium``); never a downloaded browser. Without it
the test is skipped, except when ``CI=true``, where a missing browser is a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NOTEBOOK_SOURCE = (
    "from nncourse.widgets import playground\n"
    "pg = playground()\n"
    "pg"
)


def _missing(reason: str):
    """Skip with instructions, or fail when running in CI (where the browser must be there)."""
    message = f"{reason}; install it with `apt-get install chromium` to run the browser tests"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


def _chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_notebook(path: Path) -> None:
    nb = {
        "cells": [{
            "cell_type": "code", "execution_count": None, "id": "playground-cell",
            "metadata": {}, "outputs": [], "source": NOTEBOOK_SOURCE,
        }],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))


def _write_live_deck(path: Path) -> None:
    """A two-slide notebook for the live presentation: a title, then the playground."""
    def md(cid, text, kind):
        return {"cell_type": "markdown", "id": cid, "source": text,
                "metadata": {"slideshow": {"slide_type": kind}}}
    _write_notebook(path)
    nb = json.loads(path.read_text())
    nb["cells"][0]["metadata"] = {"slideshow": {"slide_type": "-"}}
    nb["cells"] = [md("title", "# Title of the live deck", "slide"),
                   md("sliders", "## Slide with the sliders", "slide"), nb["cells"][0]]
    path.write_text(json.dumps(nb, indent=1))


def _lab_env(root: Path) -> dict:
    """Environment for the server: every Jupyter/IPython directory inside ``root``."""
    env = dict(os.environ)
    dirs = {
        "JUPYTER_CONFIG_DIR": "config", "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTER_DATA_DIR": "data", "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "mpl",
    }
    for var, name in dirs.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(root / name)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # the front end's own news/update notifications off (user settings of the notification plugin)
    plugin = root / "settings" / "@jupyterlab" / "apputils-extension"
    plugin.mkdir(parents=True, exist_ok=True)
    (plugin / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return env


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab serving a folder with ``playground.ipynb``; yields (url, token)."""
    root = tmp_path_factory.mktemp("lab")
    work = root / "notebooks"
    work.mkdir()
    _write_notebook(work / "playground.ipynb")
    _write_live_deck(work / "live.ipynb")
    port, token = _free_port(), os.urandom(16).hex()
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
        # as `make lab`: cells of slide type "-" stay on their slide in jupyterlab-slideshow
        "--ServerApp.contents_manager_class=nncourse.slides.live.SlideshowContentsManager",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = root / "jupyterlab.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=work, env=_lab_env(root), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {proc.returncode}:\n"
                            f"{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not answer within 60 s:\n"
                                f"{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(0.25)
        yield base, token
    finally:
        _stop_server(proc, base, token)
        log.close()


def _stop_server(proc: subprocess.Popen, base: str, token: str) -> None:
    """Shut down the kernels through the REST API, then the server (its own process group)."""
    try:
        with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5) as resp:
            kernels = json.load(resp)
        for kernel in kernels:
            req = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}",
                                         method="DELETE")
            urllib.request.urlopen(req, timeout=10).close()
    except (urllib.error.URLError, OSError, ValueError):
        pass
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


# JavaScript helpers run in the page ------------------------------------------------------------

KERNEL_IDLE = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}"""

# a digest of the bytes the playground's <img> currently shows (blob: or data: source)
IMAGE_DIGEST = """async (img) => {
    const buf = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', buf);
    return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""


def _slider(page, description: str):
    """The ipywidgets slider whose label reads exactly ``description``."""
    label = page.locator(".widget-label", has_text=description)
    return page.locator(".widget-slider").filter(has=label).first


def _wait_for_new_verdict(page, old: str, timeout_s: float = 40.0) -> str:
    deadline = time.monotonic() + timeout_s
    verdict = page.locator(".nncourse-verdict").first
    while time.monotonic() < deadline:
        text = verdict.inner_text().strip()
        if text and text != old:
            return text
        time.sleep(0.1)
    raise AssertionError(f"the verdict did not change within {timeout_s:.0f} s; still {old!r}")


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.load(resp)


def test_news_and_update_checks_are_off(lab):
    base, token = lab
    assert _get_json(f"{base}/lab/api/news?token={token}")["news"] == []
    assert _get_json(f"{base}/lab/api/update?token={token}")["notification"] is None


def test_playground_sliders_move_with_keyboard(lab, browser):
    base, token = lab
    context = browser.new_context(viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    outside, page_errors = [], []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
            else None)
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        page.goto(f"{base}/lab/tree/playground.ipynb?token={token}")
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        # the live-slides extension (jupyterlab-slideshow) is installed and registered its commands
        assert page.evaluate("() => window.jupyterapp.commands.hasCommand('deck:start')")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

        lr = _slider(page, "learning rate")
        dropout = _slider(page, "dropout")
        lr.wait_for(state="visible", timeout=60_000)
        dropout.wait_for(state="visible")
        image = page.locator(".nncourse-figure img, img.nncourse-figure").first
        image.wait_for(state="visible")
        # the label is shown in full, not cut to "learning r..."
        for slider, name in ((lr, "learning rate"), (dropout, "dropout")):
            label = slider.locator(".widget-label")
            assert label.inner_text().strip() == name
            assert label.evaluate("el => el.scrollWidth <= el.clientWidth"), name

        verdict0 = page.locator(".nncourse-verdict").first.inner_text().strip()
        digest0 = image.evaluate(IMAGE_DIGEST)
        assert verdict0, "the playground shows no verdict"

        # learning rate to its maximum with the keyboard: training diverges
        handle = lr.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("End")
        verdict1 = _wait_for_new_verdict(page, verdict0)
        digest1 = image.evaluate(IMAGE_DIGEST)
        assert digest1 != digest0, "the plot did not change after moving the learning rate"
        assert "diverged" in verdict1, verdict1

        # back down a few steps, then dropout to 1.0: the network learns nothing
        handle.focus()
        page.keyboard.press("Home")
        verdict2 = _wait_for_new_verdict(page, verdict1)
        dhandle = dropout.locator(".noUi-handle").first
        dhandle.focus()
        page.keyboard.press("End")
        verdict3 = _wait_for_new_verdict(page, verdict2)
        digest3 = image.evaluate(IMAGE_DIGEST)
        assert "learns nothing" in verdict3 and "dropout 1.0" in verdict3, verdict3
        assert digest3 != digest1

        # one arrow-key step down (dropout 0.95): every unit is no longer dropped
        dhandle.focus()
        page.keyboard.press("ArrowLeft")
        verdict4 = _wait_for_new_verdict(page, verdict3)
        assert "dropout 1.0" not in verdict4, verdict4
        assert not page_errors, f"uncaught errors in the page: {page_errors[:3]}"

        assert not outside, f"the page contacted hosts other than 127.0.0.1: {outside[:5]}"
    finally:
        _screenshot(page, "playground.png")
        context.close()


def _screenshot(page, name: str) -> None:
    """Save a screenshot under tests/artifacts/ (a folder that git ignores)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n")
    shot = ARTIFACTS / name
    try:
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot saved to {shot}")
    except Exception as exc:  # a screenshot must never hide the real failure
        print(f"no screenshot: {exc}")


def test_live_presentation_keeps_the_playground_sliders_working(lab, browser):
    """Presenting the notebook with jupyterlab-slideshow (``deck:start``): the slide shows the
    playground's sliders, a keyboard move on a slider changes the verdict and redraws the figure
    (the arrow keys move the slider, not the deck), and nothing leaves the machine."""
    base, token = lab
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside, page_errors = [], []

    def route(r):  # loopback only: anything else is counted and blocked
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        page.goto(f"{base}/lab/workspaces/live-deck/tree/live.ipynb?token={token}")  # a workspace of its own
        page.wait_for_function(KERNEL_IDLE, timeout=60_000)
        # this notebook's panel only (the playground test's notebook may still be open in a tab)
        panel = page.locator("#" + page.evaluate("() => window.jupyterapp.shell.currentWidget.id"))
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        lr = panel.locator(".widget-slider").filter(
            has=page.locator(".widget-label", has_text="learning rate")).first
        lr.wait_for(state="visible", timeout=60_000)
        panel.locator(".nncourse-verdict").first.wait_for(state="visible", timeout=60_000)
        # present from the first cell (the deck starts at the active cell)
        page.evaluate("() => { window.jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
        page.evaluate("() => window.jupyterapp.commands.execute('deck:start')")
        page.wait_for_selector(".jp-NotebookPanel.jp-Deck", timeout=20_000)
        # the deck is on the playground's slide (the title slide comes first)
        page.evaluate("() => window.jupyterapp.commands.execute('deck:forward')")
        deadline = time.monotonic() + 20
        while not (lr.is_visible() and panel.locator(".jp-Notebook h2", has_text="Slide with the sliders").is_visible()):
            assert time.monotonic() < deadline, "the deck does not show the playground's slide"
            time.sleep(0.2)
        assert not panel.locator(".jp-Notebook h1", has_text="Title of the live deck").is_visible()
        time.sleep(1)  # let the slide settle before the screenshot-worthy interaction
        image = panel.locator(".nncourse-figure img, img.nncourse-figure").first
        verdict0 = panel.locator(".nncourse-verdict").first.inner_text().strip()
        digest0 = image.evaluate(IMAGE_DIGEST)
        handle = lr.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press("End")
        verdict1 = _wait_for_new_verdict(panel, verdict0)
        assert "diverged" in verdict1, verdict1
        assert image.evaluate(IMAGE_DIGEST) != digest0, "the figure was not redrawn"
        handle.focus()
        page.keyboard.press("ArrowLeft")  # moves the slider one step, not the deck
        verdict2 = _wait_for_new_verdict(panel, verdict1)
        assert verdict2 != verdict1 and lr.is_visible()
        assert panel.locator(".jp-Notebook h2", has_text="Slide with the sliders").is_visible()
        assert page.locator(".jp-NotebookPanel.jp-Deck").count() == 1
        assert not page_errors, f"uncaught errors in the page: {page_errors[:3]}"
        assert not outside, f"the page contacted hosts other than 127.0.0.1: {outside[:5]}"
    finally:
        _screenshot(page, "live_slide.png")
        context.close()
