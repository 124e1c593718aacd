"""Fixtures for the app tests: the app served in-process, and Playwright on Debian's Chromium."""
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

pn = pytest.importorskip("panel")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port, timeout=30):
    """TCP connect only: an HTTP request would open a Panel session."""
    end = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's fixture, pointed at Debian's Chromium (Playwright's download is offline)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


SERVED = []          # the server side of every page served by app_url, newest last


@pytest.fixture(scope="session")
def app_url():
    """The page served as ``panel serve`` would, one session per browser page; stopped at the end.
    ``served_pages`` holds each page's server side (template with ``.session`` and ``.views``)."""
    from workbench.ui.app import EXTENSIONS, page
    pn.extension(*EXTENSIONS)                          # as apps/workbench.py

    def make():
        template = page()
        SERVED.append(template)
        return template

    port = _free_port()
    server = pn.serve(make, port=port, address="127.0.0.1", threaded=True, show=False, verbose=False,
                      check_unused_sessions_milliseconds=500, unused_session_lifetime_milliseconds=500)
    _wait_port(port)
    yield f"http://127.0.0.1:{port}/"
    server.stop()
    server.join(timeout=10)


@pytest.fixture
def served_pages():
    return SERVED


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
