"""The app in a real browser (headless Chromium from Debian, driven by Playwright).

Build a network, choose a data set, train and stop, step through a sequence; two browser
sessions training at once stay separate; runs (trained on the server's Dask workers) are listed
and overlaid in the Runs tab, survive a restart of the server, and train on after their page
closes. Screenshots of each view go to tests/artifacts/.
"""
import importlib.util
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect  # noqa: E402

from workbench.runs import RunStore  # noqa: E402

pytestmark = pytest.mark.browser

TASK = "JapaneseVowels"        # a steppable GravesLSTM, fast epochs
ROOT = Path(__file__).resolve().parents[2]


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


def open_app(page: Page, url: str, query: str = "", ready=None):
    """Open the page (with ``query``, e.g. "?task=..."); wait for ``ready`` (default: Build's Add layer)."""
    page.goto(url + query)
    expect(ready or page.get_by_role("button", name="Add layer")).to_be_visible(timeout=30_000)


def href(page: Page) -> str:
    """The address bar (Panel rewrites it with history.replaceState, which page.url may miss)."""
    return page.evaluate("window.location.href")


def tall(page: Page):
    """A viewport tall enough that a screenshot holds the whole tab (the template scrolls inside)."""
    page.set_viewport_size({"width": 1400, "height": 2400})


def tab(page: Page, name: str):
    """Open a tab and wait until its content is drawn (tabs render when opened)."""
    page.locator(".bk-tab", has_text=name).first.click()
    ready = {"Build": page.get_by_role("button", name="Add layer"), "Data": page.get_by_text("Upload CSV sequences"),
             "Train": page.get_by_role("button", name="Start"), "Step": page.get_by_role("button", name="Reset"),
             "Runs": page.get_by_role("button", name="Open in Train")}
    expect(ready[name].first).to_be_visible(timeout=30_000)
    time.sleep(0.5)                                   # the charts draw after the widgets


def progress(page: Page) -> float:
    value = page.locator("progress:visible").first.get_attribute("value")     # the Train tab's
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
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")


def stop_training(page: Page):
    """Press Stop and wait until the status line says the run stopped (its last updates drawn)."""
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_text("stopped").first).to_be_visible(timeout=10_000)
    time.sleep(0.5)


def loss_points(page: Page) -> int:
    return max((n for title, n, _ in plots(page) if "Loss" in title), default=0)


def test_build_train_stop_and_step(page: Page, app_url, artifacts):
    tall(page)
    open_app(page, app_url)
    expect(page.get_by_text("valid").first).to_be_visible()
    page.get_by_role("button", name="Add layer").click()             # an LSTM before the output layer
    expect(page.get_by_text("1: LSTM").first).to_be_visible()
    expect(page.get_by_text("2: RnnOutputLayer").first).to_be_visible()
    expect(page.get_by_text("valid").first).to_be_visible()
    page.screenshot(path=artifacts / "build.png", full_page=True)

    choose_task(page, TASK)
    page.screenshot(path=artifacts / "data.png", full_page=True)
    tab(page, "Train")
    expect(page.get_by_text("Nothing trained yet").first).to_be_visible()
    shown = page.locator(".js-plotly-plot:visible").evaluate_all("els => els.map(e => (e.layout.title || {}).text)")
    assert not [title for title in shown if title and "Loss" in title], f"a loss chart before any training: {shown}"
    page.screenshot(path=artifacts / "train_before.png", full_page=True)
    tab(page, "Step")
    page.screenshot(path=artifacts / "step_before.png", full_page=True)

    start_training(page)
    wait_for(lambda: loss_points(page) > 5, what="the loss curve to grow")
    first_points, first_progress = loss_points(page), progress(page)
    wait_for(lambda: loss_points(page) > first_points and progress(page) > first_progress,
             what="the loss curve and the progress bar to move on")
    stop_training(page)
    stopped = loss_points(page)
    time.sleep(1.0)
    assert loss_points(page) == stopped, "training went on after Stop"
    page.screenshot(path=artifacts / "train.png", full_page=True)
    with page.expect_download(timeout=30_000) as download:          # the trained network, for onnxruntime
        page.get_by_role("button", name="Export ONNX").click()
    assert download.value.suggested_filename == "model.onnx"
    onnx_model = download.value.path().read_bytes()
    if importlib.util.find_spec("onnxruntime"):
        import onnxruntime
        names = [i.name for i in onnxruntime.InferenceSession(onnx_model).get_inputs()]
        assert names == ["features", "features_mask"]

    tab(page, "Step")
    step = page.get_by_role("button", name="Step", exact=True)
    for _ in range(5):
        step.click()
        time.sleep(0.3)
    wait_for(lambda: any(cols == 5 for title, _, cols in plots(page) if title.startswith("Layer")),
             what="a state heatmap with 5 columns")
    page.screenshot(path=artifacts / "step.png", full_page=True)
    tab(page, "Build")
    page.screenshot(path=artifacts / "build_after.png", full_page=True)
    tab(page, "Data")
    page.screenshot(path=artifacts / "data_after.png", full_page=True)


def test_step_after_a_run_uses_the_trained_network(page: Page, app_url, served_pages, artifacts):
    """Trained to the end in the page, Step's output at step k is the session network's output()."""
    tall(page)
    open_app(page, app_url, f"?task={TASK}&epochs=2&tab=train", page.get_by_role("button", name="Start"))
    server = served_pages[-1]
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("finished").first).to_be_visible(timeout=60_000)
    tab(page, "Step")
    expect(page.get_by_text("updates").first).to_be_visible()
    step = page.get_by_role("button", name="Step", exact=True)
    for _ in range(5):
        step.click()
        time.sleep(0.2)
    wait_for(lambda: page.locator(".js-plotly-plot").evaluate_all(
        "els => els.some(e => ((e.layout.title || {}).text || '').startsWith('Output at step 5'))"),
        what="the output at step 5")
    bars = page.locator(".js-plotly-plot").evaluate_all(
        """els => els.filter(e => ((e.layout.title || {}).text || '').startsWith('Output at step 5'))
                     .map(e => Array.from(e.data[0].y))""")[0]
    session, state = server.session, server.views["Step"].state
    assert session.trainer.state == "finished" and state.net.iteration_count == session.net.iteration_count > 0
    expected = session.net.output(state.sequence[None, :, :5])[0, :, 4]
    np.testing.assert_allclose(bars, expected, atol=1e-5)
    page.screenshot(path=artifacts / "step_after_run.png", full_page=True)


def test_a_link_restores_the_edited_experiment(browser, app_url, served_pages):
    first = browser.new_context().new_page()
    open_app(first, app_url)
    wait_for(lambda: "task=" in href(first), what="the URL to name the task")
    seed = first.get_by_label("seed").first
    seed.fill("77")
    seed.press("Enter")
    wait_for(lambda: "conf=" in href(first), what="the URL to carry the configuration")
    link = href(first)
    first.context.close()
    second = browser.new_context().new_page()
    open_app(second, link)
    expect(second.get_by_label("seed").first).to_have_value("77")
    assert served_pages[-1].session.conf.seed == 77
    second.context.close()


def test_a_lesson_link_hides_what_it_names(page: Page, app_url, artifacts):
    tall(page)
    open_app(page, app_url, "?task=Tiny+Shakespeare&tab=build&hide=data,step,updater,backend",
             page.get_by_role("button", name="Add layer"))
    tabs = [t.strip() for t in page.locator(".bk-tab").all_inner_texts()]
    assert "Data" not in tabs and "Step" not in tabs and {"Build", "Train"} <= set(tabs), tabs
    assert page.get_by_label("backend").count() == 0 or not page.get_by_label("backend").first.is_visible()
    assert not page.get_by_label("updater", exact=True).first.is_visible()
    expect(page.get_by_label("l2", exact=True).first).to_be_visible()   # what the link does not name stays
    expect(page.get_by_text("Task: Tiny Shakespeare").first).to_be_visible()
    page.screenshot(path=artifacts / "lesson.png", full_page=True)


def test_a_file_over_the_upload_limit_is_refused_and_the_session_lives(page: Page, app_url, tmp_path):
    big = tmp_path / "features_0.csv"
    big.write_bytes(b"1.0\n" * 6_500_000)                             # 26 MB
    open_app(page, app_url, "?tab=data", page.get_by_text("At most 25 MB").first)
    page.locator("input.filepond--browser").first.set_input_files(str(big))   # the Features files dropper
    expect(page.get_by_text("File is too large").first).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Maximum file size is 25 MB").first).to_be_visible()
    start_training(page)                                               # the session still works
    wait_for(lambda: loss_points(page) > 3, what="training after the refused upload")
    stop_training(page)


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
    stop_training(pages[0])
    stopped = loss_points(pages[0])
    before = loss_points(pages[1])
    wait_for(lambda: loss_points(pages[1]) > before, what="the other session to keep training")
    assert loss_points(pages[0]) == stopped, "stopping one session touched the other's curve"
    for page in pages:
        page.context.close()


@contextmanager
def panel_serve(store: Path, log: Path):
    """``panel serve apps/workbench.py`` (with ``make run``'s session flags) keeping its runs in ``store``;
    yields its URL. At the end it is stopped (SIGTERM: it closes its Dask cluster), and any of
    its processes still there (workers) are killed by PID."""
    import psutil
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "WORKBENCH_RUNS": str(store), "OPENBLAS_NUM_THREADS": "1"}
    server = subprocess.Popen([sys.executable, "-m", "panel", "serve", "apps/workbench.py", "--port", str(port),
                               "--address", "127.0.0.1", "--check-unused-sessions", "1000",
                               "--unused-session-lifetime", "5000"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(log, "a"))
    try:
        end = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < end, log.read_text()
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/workbench"
    finally:
        children = psutil.Process(server.pid).children(recursive=True)
        server.terminate()
        server.wait(20)
        for child in children:
            try:
                child.wait(10)
            except psutil.TimeoutExpired:
                child.kill()
            except psutil.NoSuchProcess:
                pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A ``panel serve`` of the app (its runs on its own embedded cluster) and its run store's path."""
    folder = tmp_path_factory.mktemp("served")
    with panel_serve(folder / "runs.sqlite", folder / "serve.log") as url:
        yield url, folder / "runs.sqlite"


def statuses(store: Path) -> dict:
    with RunStore(store) as s:
        return {r.id: r.status for r in s.list_runs()}


def test_make_run_command_serves_the_app_and_its_runs_survive_a_restart(page: Page, tmp_path):
    """`panel serve apps/workbench.py`, as `make run` starts it, gives a working page; a run trained
    there is listed again after the server is stopped and started anew."""
    store = tmp_path / "runs.sqlite"
    with panel_serve(store, tmp_path / "serve.log") as url:
        for _ in range(2):               # the second session too (lazily loaded JavaScript broke it once)
            page.goto(url)
            expect(page.get_by_role("button", name="Add layer")).to_be_visible(timeout=30_000)
            tab(page, "Data")
            expect(page.get_by_text("Drag & Drop your files").first).to_be_visible()
        start_training(page, epochs=2)
        expect(page.get_by_text("finished").first).to_be_visible(timeout=60_000)
    (run_id, status), = statuses(store).items()
    assert status == "finished"
    with panel_serve(store, tmp_path / "serve.log") as url:
        open_app(page, url, "?tab=runs", page.get_by_role("button", name="Open in Train"))
        wait_for(lambda: any(row.split()[:1] == [str(run_id)] and "finished" in row for row in run_rows(page)),
                 what="the run listed after the restart")


def run_rows(page: Page) -> list:
    """The text of each row of the Runs table."""
    return page.locator(".tabulator-row").evaluate_all("els => els.map(e => e.innerText)")


def table_statuses(page: Page) -> list:
    """The status column of each Runs table's data in the browser's Bokeh document (what the page
    received, whatever its table draws)."""
    return page.evaluate("""() => Bokeh.documents.flatMap(d => Array.from(d._all_models.values()))
        .filter(m => m.source && m.configuration !== undefined && m.source.data.status)
        .map(m => Array.from(m.source.data.status))""")


def check_rows(page: Page, count: int):
    """Tick the checkboxes of the table's first ``count`` rows."""
    for i in range(count):
        page.locator(".tabulator-row").nth(i).locator("input[type=checkbox]").first.click()


def curves(page: Page) -> dict:
    """The Runs tab's curves figure: trace names, and the y axis type."""
    return page.locator(".js-plotly-plot").evaluate_all(
        """els => els.filter(e => ((e.layout.title || {}).text || '').startsWith('Runs compared'))
                     .map(e => ({names: e.data.map(d => d.name), type: e.layout.yaxis.type || 'linear'}))[0] || null""")


def active(store: Path) -> list:
    return [i for i, status in statuses(store).items() if status in ("queued", "running", "paused")]


def test_two_runs_are_listed_and_overlaid_and_the_page_answers_clicks_while_they_train(page: Page, served,
                                                                                      artifacts):
    url, store = served
    tall(page)
    open_app(page, url, "?tab=train", page.get_by_role("button", name="Start"))
    start_training(page)
    wait_for(lambda: loss_points(page) > 3, what="the first run's loss curve")
    page.get_by_role("button", name="Start").click()           # a second run while the first trains
    wait_for(lambda: len(active(store)) == 2, what="two runs training")
    first, second = active(store)
    tab(page, "Runs")
    wait_for(lambda: sum("running" in row for row in run_rows(page)) == 2, what="both runs listed as running")
    check_rows(page, len(run_rows(page)))
    wait_for(lambda: {f"#{first}", f"#{second}"} <= {n.split()[0] for n in (curves(page) or {}).get("names", [])},
             what="both runs' curves overlaid")
    page.screenshot(path=artifacts / "runs.png", full_page=True)

    log_axis = page.locator(".bk-Checkbox input[type=checkbox]").first
    latencies = click_latencies(page, log_axis)
    assert active(store) == [first, second], "the runs stopped while the page was clicked"
    median = float(np.median(latencies))
    print(f"click -> redrawn figure while two runs train: median {1000 * median:.0f} ms, "
          f"max {1000 * max(latencies):.0f} ms")
    assert median < 0.3, latencies

    page.get_by_role("button", name="Stop").first.click()       # the Runs tab's: every checked run
    wait_for(lambda: not active(store), timeout=15, what="both runs to stop")
    assert statuses(store)[first] == statuses(store)[second] == "stopped"
    idle = click_latencies(page, log_axis)
    print(f"click -> redrawn figure with no run training: median {1000 * float(np.median(idle)):.0f} ms")


def click_latencies(page: Page, checkbox, clicks: int = 6) -> list:
    """Seconds from each click of the Runs tab's log-axis box to the curves drawn with the other
    axis, timed in the page (the click dispatched there, the figure checked every frame), so
    Playwright's own round trips are not counted."""
    plot = page.locator(".js-plotly-plot").filter(has_text="Runs compared").first.element_handle()
    box = checkbox.element_handle()
    latencies = []
    for _ in range(clicks):
        ms = page.evaluate("""async ([box, plot]) => {
            const type = () => plot.layout.yaxis.type || 'linear';
            const before = type(), t0 = performance.now();
            box.click();
            while (type() === before) {
                if (performance.now() - t0 > 10000) return -1;
                await new Promise(r => requestAnimationFrame(r));
            }
            return performance.now() - t0;
        }""", [box, plot])
        assert ms >= 0, "the figure did not change after a click"
        latencies.append(ms / 1000)
        time.sleep(0.2)
    return latencies


def test_closing_the_page_leaves_its_run_training_and_another_page_lists_it(browser, served):
    """Runs train on the workers, not in the page's session: closing the tab keeps the run (it used to
    stop it), and a new page lists it and stops it."""
    url, store = served
    page = browser.new_context().new_page()
    open_app(page, url, "?tab=train", page.get_by_role("button", name="Start"))
    start_training(page)
    wait_for(lambda: loss_points(page) > 3, what="the loss curve to grow")
    run_id, = active(store)
    page.context.close()
    time.sleep(8)                                   # the server ends a closed page's session within ~6 s
    with RunStore(store) as s:
        done = s.get_run(run_id).updates
        wait_for(lambda: s.get_run(run_id).updates > done + 5, what="the run to train on after its page closed")
    assert statuses(store)[run_id] == "running"
    other = browser.new_context().new_page()
    open_app(other, url, "?tab=runs", other.get_by_role("button", name="Open in Train"))
    wait_for(lambda: any(row.split()[:1] == [str(run_id)] and "running" in row for row in run_rows(other)),
             what="the run listed as running in another page")
    row = [i for i, text in enumerate(run_rows(other)) if text.split()[:1] == [str(run_id)]][0]
    other.locator(".tabulator-row").nth(row).locator("input[type=checkbox]").first.click()
    expect(other.get_by_role("button", name="Stop").first).to_be_enabled(timeout=5_000)   # the tick reached the server
    other.get_by_role("button", name="Stop").first.click()
    wait_for(lambda: statuses(store)[run_id] == "stopped", timeout=15, what="the run to stop")
    other.context.close()


def test_a_sweep_launched_from_build_is_shown_in_runs_with_its_parallel_coordinates(page: Page, tmp_path, artifacts):
    # a server of its own, so the sweep is "sweep 1" whatever ran before. Under load (CI) this test
    # caught the browser's table going stale: every whole update re-sent the formatters, which
    # rebuilt the table while it was still being built (now they go only with a new column set);
    # later the last runs still 'running' in the page with the store settled (now, once the store
    # settles, every cell goes again as a patch)
    store = tmp_path / "runs.sqlite"
    with panel_serve(store, tmp_path / "serve.log") as url:
        _sweep_from_build(page, url, store, artifacts)


def _sweep_from_build(page: Page, url: str, store: Path, artifacts):
    tall(page)
    open_app(page, url)
    page.get_by_text("Sweep", exact=True).first.click()                    # the collapsed card opens
    page.get_by_role("button", name="Add field").click()
    page.get_by_role("button", name="Add field").click()
    rows = page.get_by_placeholder("values, e.g. 0.003, 0.01, 0.03")
    expect(rows).to_have_count(2)
    rows.nth(0).fill("8, 16")
    rows.nth(0).press("Enter")
    page.locator("select").filter(has_text="updater.beta1").nth(1).select_option("updater.lr")   # the 2nd row's
    expect(rows.nth(1)).to_have_value("0.002, 0.02, 0.2")                  # values around the current lr
    epochs = page.get_by_label("epochs")
    epochs.fill("1")
    epochs.press("Enter")
    expect(page.get_by_text("2 × 3 = 6 runs")).to_be_visible()
    page.screenshot(path=artifacts / "build-sweep.png", full_page=True)
    before = set(statuses(store))
    page.get_by_role("button", name="Launch sweep").click()
    expect(page.get_by_role("button", name="Open in Train")).to_be_visible(timeout=10_000)   # Runs opened
    wait_for(lambda: len(set(statuses(store)) - before) == 6, what="the sweep's six runs stored")
    wait_for(lambda: len(run_rows(page)) == 6 and all("finished" in row for row in run_rows(page)), timeout=60,
             what=lambda: f"the sweep's runs, alone in the table, to finish: {run_rows(page)}, in the page's data "
                  f"{table_statuses(page)}, in the store {statuses(store)}")
    assert table_statuses(page) == [["finished"] * 6]
    axes = lambda: page.locator(".js-plotly-plot").evaluate_all(                                # noqa: E731
        "els => els.flatMap(e => (e.data || []).filter(d => d.type === 'parcoords')"
        "                        .flatMap(d => d.dimensions.map(x => x.label)))")
    wait_for(lambda: {"layer 0 units", "lr (log)", "accuracy"} <= set(axes()), what="the sweep's parallel coordinates")
    assert len((curves(page) or {}).get("names", [])) == 6                                 # checked: curves drawn
    assert len(page.locator(".parcoords .axis-title").all()) >= 3                          # drawn, not only sent
    page.screenshot(path=artifacts / "runs-sweep.png", full_page=True)
    with RunStore(store) as s:
        sweep = [r for r in s.list_runs() if r.id not in before]
    assert {r.settings["sweep"] for r in sweep} == {"sweep 1"}
    assert sorted((r.settings["params"]["layers.0.n_out"], r.settings["params"]["updater.lr"]) for r in sweep) == \
        sorted((u, lr) for u in (8, 16) for lr in (0.002, 0.02, 0.2))
