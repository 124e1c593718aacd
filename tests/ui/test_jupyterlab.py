"""The components in a real JupyterLab (a ``jupyter lab`` server, headless Chromium, Playwright).

The server runs as a subprocess on a free loopback port, with its own token and its own Jupyter
config, data, runtime and settings folders (the user's JupyterLab settings and workspaces are not
touched); its kernels import this checkout's ``workbench``. Each test opens a copy of
``tests/notebooks/jupyterlab_step.ipynb`` and runs all its cells from the Run menu. The notebook
shows one ``StepExplorer`` the default Panel way and a second one as a Jupyter widget
(``pn.ipywidget``) in two cells. The tests press the **Step** button and see the charts change,
and check that the widget's two views stay in step and that every view still works after the page
is reloaded (what docs/jupyter.md says). Screenshots: tests/artifacts/jupyterlab-*.png.
"""
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("playwright")
pytest.importorskip("jupyterlab")
from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "tests" / "notebooks" / "jupyterlab_step.ipynb"
START_S = 120            # a loaded 2-core machine: JupyterLab's first start, a kernel importing Panel
RUN_S = 120              # the notebook's cells (Panel's inline JavaScript, a small network)
# JupyterLab's news and update checks off: no notification toast over the notebook, no network
SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, token: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def _stop(proc: subprocess.Popen, base: str, token: str) -> None:
    """Shut the server down (its kernels with it) by its API, then by its PID if it lingers."""
    try:
        _api(base, token, "/api/shutdown", "POST")
    except OSError:
        pass
    for stop in (None, proc.terminate, lambda: os.killpg(proc.pid, signal.SIGKILL)):
        if stop is not None:
            try:
                stop()
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=20)
            break
        except subprocess.TimeoutExpired:
            continue
    try:                                  # a kernel the server left behind (it shares the server's group)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def jupyter_lab(home: Path):
    """A running ``jupyter lab`` with its folders under ``home``: yields a dict, ``url(name)`` opens
    ``name`` of the notebook folder ``root`` alone (in a fresh workspace of its own: JupyterLab
    would otherwise reopen the notebooks of earlier tests); stopped (with its kernels) on leaving."""
    root = home / "notebooks"
    root.mkdir()
    for name, settings in SETTINGS.items():
        path = home / "config" / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(settings))
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "config" / "lab" / "user-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "config" / "lab" / "workspaces"),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),  # the kernel's python
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "OPENBLAS_NUM_THREADS": "1"}
    token, port = secrets.token_hex(16), _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + START_S
        while True:
            try:
                _api(base, token, "/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > end:
                    raise RuntimeError(f"jupyter lab did not start:\n{(home / 'server.log').read_text()[-3000:]}")
                time.sleep(0.3)
        yield {"root": root, "base": base, "token": token, "log": home / "server.log",
               "url": lambda name: f"{base}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={token}"}
    finally:
        _stop(proc, base, token)
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server for the module's tests."""
    with jupyter_lab(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


def copy_notebook(lab, name: str) -> str:
    shutil.copy(NOTEBOOK, lab["root"] / name)
    return name


@contextmanager
def notebook_test(page: Page, lab, artifacts: Path):
    """On failure: a screenshot (jupyterlab-failed.png) and every output's text; at the end the
    test's kernels are shut down."""
    try:
        yield
    except Exception:
        page.screenshot(path=artifacts / "jupyterlab-failed.png")
        outputs = notebook(page).locator(".jp-CodeCell .jp-OutputArea").all_inner_texts()
        print("\n".join(f"--- output {i}:\n{text[-1500:]}" for i, text in enumerate(outputs)))
        raise


def shut_kernels(lab) -> None:
    """End the sessions (and kernels) a test opened; the server stays up for the next test."""
    for session in _api(lab["base"], lab["token"], "/api/sessions"):
        _api(lab["base"], lab["token"], f"/api/sessions/{session['id']}", "DELETE")


def wait_for(check, what: str, timeout_s: float = 60):
    """Poll ``check()`` until it is truthy (a loaded machine draws late): no fixed sleeps."""
    end = time.monotonic() + timeout_s
    while not (value := check()):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)
    return value


def menu(page: Page, top: str, item: str):
    """Click ``top`` in JupyterLab's menu bar, then ``item`` in its menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def open_notebook(page: Page, lab, name: str):
    """Open ``name`` and wait until its kernel is idle."""
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.on("dialog", lambda dialog: dialog.accept())          # "leave the page?" on reload
    page.goto(lab["url"](name))
    expect(notebook(page)).to_be_visible(timeout=START_S * 1000)
    kernel_idle(page)


def kernel_idle(page: Page):
    """The status bar names the kernel and says it is idle (before the kernel starts it says "No Kernel | Idle")."""
    expect(page.locator(".jp-StatusBar-TextItem[title^='Change kernel']")).to_have_text(
        re.compile(r"Python 3 .*\| Idle"), timeout=START_S * 1000)


def run_all_cells(page: Page):
    """Run > Run All Cells, then wait until every code cell has run (each prompt holds its number)."""
    menu(page, "Run", "Run All Cells")
    prompts = notebook(page).locator(".jp-CodeCell .jp-InputPrompt")
    for i in range(prompts.count()):
        expect(prompts.nth(i)).to_have_text(f"[{i + 1}]:", timeout=RUN_S * 1000)
    kernel_idle(page)


def notebook(page: Page):
    """The notebook on show (a hidden tab's cells are in the page too)."""
    return page.locator(".jp-NotebookPanel:visible")


def code_cell(page: Page, i: int):
    return notebook(page).locator(".jp-CodeCell").nth(i)


def step_view(page: Page, i: int) -> dict:
    """What the Step view of code cell ``i`` shows: its "step t / T" line, the steps (columns) of its h
    heatmap and the output bars' probabilities, read from the plotly charts drawn in the page."""
    cell = code_cell(page, i)
    info = cell.get_by_text(re.compile(r"\d+ steps · step \d+ / \d+"))
    check = cell.get_by_text(re.compile(r"^Stepped outputs vs"))
    charts = cell.locator(".js-plotly-plot").evaluate_all(
        """els => els.map(e => (e.data || []).map(d => d.type === 'heatmap'
               ? {heatmap: d.z && d.z.length ? d.z[0].length : 0}
               : {bars: Array.from(d.y || [])}))""")
    heatmaps = [t["heatmap"] for chart in charts for t in chart if "heatmap" in t]
    bars = [t["bars"] for chart in charts for t in chart if "bars" in t]
    return {"info": info.first.inner_text() if info.count() else None,
            "check": check.first.inner_text() if check.count() else None,
            "h_steps": heatmaps[0] if heatmaps else None, "bars": bars[0] if bars else None}


def current_step(page: Page, i: int) -> int:
    info = step_view(page, i)["info"]
    return int(re.search(r"step (\d+) /", info).group(1)) if info else -1


def shows_step(page: Page, i: int, t: int) -> dict:
    """Code cell ``i``'s Step view says step ``t``, its h heatmap has ``t`` columns, its bars are the
    3 class probabilities and its check line says the stepped outputs equal ``output()``."""
    def drawn():
        v = step_view(page, i)
        return (v["info"] == f"12 steps · step {t} / 12" and v["h_steps"] == t and (t == 0 or (
            f"on the same {t} steps" in (v["check"] or "") and len(v["bars"] or []) == 3
            and abs(sum(v["bars"]) - 1) < 1e-3))) and v
    view = wait_for(drawn, f"cell {i} to show step {t}", RUN_S)
    assert t == 0 or view["check"].endswith("OK"), view["check"]
    return view


def press(page: Page, i: int, name: str = "Step") -> int:
    """Press ``name`` in code cell ``i``'s Step view until its step moves on (a click that lands while
    the view's connection to the kernel is still being made is lost); returns the step it settles on."""
    before = current_step(page, i)
    button = code_cell(page, i).get_by_role("button", name=name, exact=True)
    for attempt in range(3):
        button.click()
        try:
            wait_for(lambda: current_step(page, i) > before, f"cell {i}'s {name} to feed a step",
                     20 if attempt < 2 else RUN_S)
            break
        except AssertionError:
            if attempt == 2:
                raise

    def settled():                                   # the same step twice, a second apart
        t = current_step(page, i)
        time.sleep(1)
        return t if current_step(page, i) == t else None
    return wait_for(settled, f"cell {i} to settle", RUN_S)


def saved_with_outputs(path: Path) -> bool:
    try:
        cells = json.loads(path.read_text())["cells"]
    except ValueError:                                 # being written
        return False
    return all(c.get("outputs") for c in cells if c["cell_type"] == "code")


DEFAULT, WIDGET, WIDGET_AGAIN = 1, 2, 3      # code cells: the default Panel display, the widget, its second view


def test_step_button_changes_the_plot_in_jupyterlab(page: Page, lab, artifacts):
    """Run All Cells, press Step in the default display: the h heatmap gains a column, the output bars
    appear; Step k feeds more steps."""
    with notebook_test(page, lab, artifacts):
        open_notebook(page, lab, copy_notebook(lab, "step.ipynb"))
        run_all_cells(page)
        expect(code_cell(page, DEFAULT).get_by_role("button", name="Step", exact=True)).to_be_visible(
            timeout=RUN_S * 1000)
        before = shows_step(page, DEFAULT, 0)
        code_cell(page, DEFAULT).screenshot(path=artifacts / "jupyterlab-before.png")
        t = press(page, DEFAULT)
        after = shows_step(page, DEFAULT, t)
        assert after["bars"] != before["bars"]
        t_k = press(page, DEFAULT, "Step k")                    # k = 10 more (up to the 12 steps)
        assert t_k > t
        shows_step(page, DEFAULT, t_k)
        code_cell(page, DEFAULT).screenshot(path=artifacts / "jupyterlab-after.png")
        shows_step(page, WIDGET, 0)                             # the widget's explorer is another one


def test_widget_views_stay_in_step_and_survive_a_reload(page: Page, lab, artifacts):
    """``pn.ipywidget``: two views of one widget follow each other; after saving and reloading the page,
    the default display and both widget views render again and their buttons still reach the kernel,
    which kept each explorer's state."""
    with notebook_test(page, lab, artifacts):
        name = copy_notebook(lab, "widget.ipynb")
        open_notebook(page, lab, name)
        run_all_cells(page)
        expect(notebook(page).get_by_role("button", name="Step", exact=True)).to_have_count(3, timeout=RUN_S * 1000)
        t = press(page, WIDGET)
        shows_step(page, WIDGET_AGAIN, t)                        # the other view of the same widget follows
        t = press(page, WIDGET_AGAIN)
        shows_step(page, WIDGET, t)
        t_default = press(page, DEFAULT)
        shows_step(page, DEFAULT, t_default)

        menu(page, "File", "Save Notebook")
        wait_for(lambda: saved_with_outputs(lab["root"] / name), "the notebook to be saved with its outputs")
        page.reload()
        expect(notebook(page)).to_be_visible(timeout=START_S * 1000)
        kernel_idle(page)
        expect(notebook(page).get_by_role("button", name="Step", exact=True)).to_have_count(3, timeout=RUN_S * 1000)
        for cell in (DEFAULT, WIDGET, WIDGET_AGAIN):             # drawn again, from the saved outputs
            wait_for(lambda: step_view(page, cell)["h_steps"] is not None, f"cell {cell}'s charts after the reload")
        page.screenshot(path=artifacts / "jupyterlab-reloaded.png")
        t_after = press(page, WIDGET)                            # the kernel kept the explorer's state
        assert t_after > t >= 2
        shows_step(page, WIDGET, t_after)
        shows_step(page, WIDGET_AGAIN, t_after)
        assert press(page, DEFAULT) > t_default
        code_cell(page, WIDGET_AGAIN).screenshot(path=artifacts / "jupyterlab-widget-after-reload.png")
