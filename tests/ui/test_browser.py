"""The app in a real browser (headless Chromium from Debian, driven by Playwright).

Build a network, choose a data set, train and stop, step through a sequence; two browser
sessions training at once stay separate. Screenshots of each view go to tests/artifacts/.
"""
import time

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

TASK = "JapaneseVowels"        # a steppable GravesLSTM, fast epochs


def plots(page: Page) -> list:
    """(title, number of points of the first trace, z columns of the first trace) of every plotly figure."""
    return page.locator(".js-plotly-plot").evaluate_all(
        """els => els.map(e => {
             const t = (e.layout && e.layout.title && e.layout.title.text) || '';
             const d = (e.data && e.data[0]) || {};
             const n = d.x ? d.x.length : (d.y ? d.y.length : 0);
             const cols = d.z && d.z.length ? d.z[0].length : 0;
             return [t, n, cols];
           })""")


def open_app(page: Page, url: str):
    page.goto(url)
    expect(page.get_by_role("button", name="Add layer")).to_be_visible(timeout=30_000)


def tab(page: Page, name: str):
    page.locator(".bk-tab", has_text=name).first.click()


def progress(page: Page) -> float:
    value = page.locator("progress").first.get_attribute("value")
    return float(value or 0)


def choose_task(page: Page, name: str):
    tab(page, "Data")
    page.locator("select").filter(has_text=name).first.select_option(name)
    expect(page.get_by_text(name).first).to_be_visible()


def start_training(page: Page, epochs=1000):
    """Start a long run (stopped by the test) so the curves are seen growing."""
    tab(page, "Train")
    box = page.get_by_label("Epochs")
    box.fill(str(epochs))
    box.press("Enter")
    page.get_by_role("button", name="Start").click()


def wait_for(predicate, timeout=20.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def loss_points(page: Page) -> int:
    return max((n for title, n, _ in plots(page) if "Loss" in title), default=0)


def test_build_train_stop_and_step(page: Page, app_url, artifacts):
    open_app(page, app_url)
    expect(page.get_by_text("valid").first).to_be_visible()
    page.get_by_role("button", name="Add layer").click()             # an LSTM before the output layer
    expect(page.get_by_text("1: LSTM").first).to_be_visible()
    expect(page.get_by_text("2: RnnOutputLayer").first).to_be_visible()
    expect(page.get_by_text("valid").first).to_be_visible()
    page.screenshot(path=artifacts / "build.png", full_page=True)

    choose_task(page, TASK)
    page.screenshot(path=artifacts / "data.png", full_page=True)

    start_training(page)
    wait_for(lambda: loss_points(page) > 5, what="the loss curve to grow")
    first_points, first_progress = loss_points(page), progress(page)
    wait_for(lambda: loss_points(page) > first_points and progress(page) > first_progress,
             what="the loss curve and the progress bar to move on")
    page.get_by_role("button", name="Stop").click()
    time.sleep(1.5)
    stopped = loss_points(page)
    time.sleep(1.0)
    assert loss_points(page) == stopped, "training went on after Stop"
    page.screenshot(path=artifacts / "train.png", full_page=True)

    tab(page, "Step")
    step = page.get_by_role("button", name="Step", exact=True)
    for _ in range(5):
        step.click()
        time.sleep(0.3)
    wait_for(lambda: any(cols == 5 for title, _, cols in plots(page) if title.startswith("Layer")),
             what="a state heatmap with 5 columns")
    page.screenshot(path=artifacts / "step.png", full_page=True)


def test_two_sessions_train_separately(browser, app_url):
    pages = [browser.new_context().new_page() for _ in range(2)]
    for page in pages:
        open_app(page, app_url)
    choose_task(pages[0], "Shifted symbols (future context)")
    choose_task(pages[1], "UCI synthetic control")
    for page in pages:
        start_training(page)
    for page in pages:
        wait_for(lambda: loss_points(page) > 3, what="both loss curves to grow")
    pages[0].get_by_role("button", name="Stop").click()
    time.sleep(1.5)
    stopped = loss_points(pages[0])
    before = loss_points(pages[1])
    wait_for(lambda: loss_points(pages[1]) > before, what="the other session to keep training")
    assert loss_points(pages[0]) == stopped, "stopping one session touched the other's curve"
    for page in pages:
        page.context.close()


def test_make_run_command_serves_the_app(page: Page, tmp_path):
    """`panel serve apps/workbench.py`, as `make run` starts it, gives a working page."""
    import socket
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "panel", "serve", "apps/workbench.py", "--port", str(port),
                               "--address", "127.0.0.1"], cwd=root, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "serve.log", "w"))
    try:
        end = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < end, (tmp_path / "serve.log").read_text()
                time.sleep(0.1)
        page.goto(f"http://127.0.0.1:{port}/workbench")
        expect(page.get_by_role("button", name="Add layer")).to_be_visible(timeout=30_000)
        tab(page, "Train")
        expect(page.get_by_role("button", name="Start")).to_be_visible()
    finally:
        server.terminate()
        server.wait(10)
