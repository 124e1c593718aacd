"""The teaching notebooks: each runs top to bottom in a fresh kernel within its time limit, with
the reference solutions of its exercises in the answer cells and a ✔ from every check; the HTML
export of each shows every figure; the exercises follow the layout ``notebooks/README.md`` sets.

Notebooks are committed without outputs. Their claims are asserted in collapsed cells tagged
"test" (or inside the checks), so a wrong result fails here as well as an error.
"""
import ast
import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
SOLUTIONS = Path(__file__).resolve().parent / "notebooks" / "solutions"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "notebooks"
TIME_LIMIT_S = float(os.environ.get("NOTEBOOK_TIME_LIMIT_S", 120))   # the issue: < 2 min each on 2 cores
EXERCISE_HEADING = re.compile(r"^#+ Exercise (\d+)\b", re.M)
PLOTLY_JSON = "application/vnd.plotly.v1+json"
PANEL_PLOTLY = '"name":"panel.models.plotly.PlotlyPlot"'      # a Plotly pane in Panel's output
_EXPORTED_AFTER = time.time()                                   # exports older than this session are redone

sys.path.insert(0, str(FOLDER))                          # the notebooks' own `checks` package
checks = importlib.import_module("checks")


def short(path: Path) -> str:
    """'nb02' for 02_truncated_bptt.ipynb: the name of its checks and solutions modules."""
    return "nb" + path.stem.split("_")[0]


def tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def solutions(path: Path) -> dict:
    """{exercise number: source of the reference answer cell}."""
    file = SOLUTIONS / f"{short(path)}.py"
    spec = importlib.util.spec_from_file_location(f"solutions_{short(path)}", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SOLUTIONS


def exercise_cells(nb) -> dict:
    """{exercise number: (heading cell, answer cell, check cell)} in notebook order."""
    out, heading = {}, None
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown" and EXERCISE_HEADING.search("".join(cell["source"])):
            heading = cell
        if "answer" in tags(cell):
            n = cell["metadata"]["exercise"]
            check = nb["cells"][i + 1] if i + 1 < len(nb["cells"]) else None
            out[n] = (heading, cell, check)
    return out


_EXECUTED = {}


def executed(path: Path):
    """(notebook run with the reference solutions, seconds): run once per test session."""
    if path not in _EXECUTED:
        nb = nbformat.read(path, as_version=4)
        answers = solutions(path)
        for cell in nb.cells:
            if "answer" in tags(cell):
                cell.source = answers[cell.metadata["exercise"]]
        env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)                          # the kernel imports this checkout's workbench
        try:
            start = time.perf_counter()
            nbclient.NotebookClient(nb, timeout=TIME_LIMIT_S, kernel_name="python3",
                                    resources={"metadata": {"path": str(FOLDER)}}).execute()
            elapsed = time.perf_counter() - start
        finally:
            for k, v in old.items():
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        _EXECUTED[path] = nb, elapsed
    return _EXECUTED[path]


def stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def test_there_are_notebooks_and_none_is_committed_with_outputs():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, f"{path.name} has outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_exercises_follow_the_layout(path):
    """At least three exercises, each: a heading "Exercise N", an answer cell with ``...`` in it,
    a collapsed check cell calling checks.<nb>.exercise_N; a reference solution for each; names
    set in answer cells are not used by the teaching cells after them."""
    nb = json.loads(path.read_text())
    found = exercise_cells(nb)
    headings = [int(m) for c in nb["cells"] if c["cell_type"] == "markdown"
                for m in EXERCISE_HEADING.findall("".join(c["source"]))]
    assert len(headings) >= 3 and headings == sorted(found) == list(range(1, len(headings) + 1)), path.name
    answers = solutions(path)
    assert sorted(answers) == sorted(found), f"{path.name}: reference solutions for {sorted(answers)}"
    for n, (heading, answer, check) in found.items():
        assert heading is not None and f"Exercise {n}" in "".join(heading["source"])
        assert "..." in "".join(answer["source"]), f"{path.name} exercise {n}: the answer cell has no ... to fill in"
        assert check is not None and "check" in tags(check) and check["metadata"].get("exercise") == n
        assert check["metadata"].get("jupyter", {}).get("source_hidden") is True, f"{path.name}: check {n} is not collapsed"
        source = "".join(check["source"]).rstrip()
        assert f"exercise_{n}(" in source and short(path) in source
        assert source.endswith(";"), f"{path.name}: check {n} must end with ';' (the verdict is printed, not an Out value)"
    set_by_answers = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "".join(cell["source"]).lstrip().startswith(("%", "!")):
            continue
        tree = ast.parse("".join(cell["source"]))
        stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        if "answer" in tags(cell):
            set_by_answers |= stored | {n.id for n in ast.walk(ast.parse(answers[cell["metadata"]["exercise"]]))
                                        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        elif "check" not in tags(cell):
            loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            assert not (loaded - stored) & set_by_answers, (
                f"{path.name}: a teaching cell uses {sorted((loaded - stored) & set_by_answers)}, set by an answer cell")
            set_by_answers -= stored


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_checks_wait_for_an_answer(path):
    """Every check, given ``...`` for each of its arguments, says the exercise is not answered
    (and neither raises nor claims it right)."""
    module = importlib.import_module(f"checks.{short(path)}")
    functions = {int(name.split("_")[1]): f for name, f in inspect.getmembers(module, inspect.isfunction)
                 if re.fullmatch(r"exercise_\d+", name)}
    assert sorted(functions) == sorted(exercise_cells(json.loads(path.read_text())))
    for n, f in functions.items():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = f(*[...] * len(inspect.signature(f).parameters))
        assert result is False and out.getvalue().startswith(checks.MISSING), f"exercise_{n}: {out.getvalue()!r}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_exercise_checks_pass_on_the_reference_solutions(path):
    nb, elapsed = executed(path)
    print(f"{path.name}: {elapsed:.0f} s")
    assert elapsed < TIME_LIMIT_S, f"{path.name} took {elapsed:.0f} s"
    for n, (_, _, check) in exercise_cells(nb).items():
        assert checks.RIGHT in stream_text(check), f"{path.name} exercise {n}: {stream_text(check)!r}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_html_export_has_every_figure(path):
    """No figure output is only plotly JSON (which an HTML export or a static viewer cannot
    draw): each has an HTML form. The export is kept in tests/artifacts/notebooks/."""
    nb, _ = executed(path)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            assert PLOTLY_JSON not in data or "text/html" in data, f"{path.name}: a figure with no HTML form"
    assert "plotly" in export_html(path).read_text().lower()


def export_html(path: Path) -> Path:
    """The nbconvert HTML export of the executed notebook, in tests/artifacts/notebooks/, as
    ``jupyter nbconvert --to html`` makes it with the README's options: the collapsed cells' code
    left out (a check cell's verdict stays)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    out = ARTIFACTS / f"{path.stem}.html"
    if not out.exists() or out.stat().st_mtime < _EXPORTED_AFTER:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": ["test"],
                                                   "remove_input_tags": ["check"]}})
        out.write_text(HTMLExporter(config=config).from_notebook_node(executed(path)[0])[0])
    return out


def figure_count(nb) -> int:
    """Plotly figures among the outputs: Panel's Plotly panes (in any layout) and bare figures."""
    n = 0
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            n += data.get("text/html", "").count(PANEL_PLOTLY) + (PLOTLY_JSON in data)
    return n


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_draws_in_chromium_from_the_html_export(path):
    """Opened offline from the HTML export, the page draws as many plotly plots as the notebook
    has figures. The top of the page is kept as tests/artifacts/notebooks/<stem>-export.png."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    html = export_html(path)
    expected = figure_count(executed(path)[0])
    assert expected > 0, f"{path.name} shows no figure"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            page.goto(html.as_uri())
            plots = page.locator(".js-plotly-plot")            # Playwright's CSS pierces the shadow roots
            deadline = time.monotonic() + 90
            while plots.count() < expected and time.monotonic() < deadline:
                page.wait_for_timeout(500)
            assert plots.count() == expected, f"{path.name}: {plots.count()} plots drawn of {expected} figures"
            page.screenshot(path=str(ARTIFACTS / f"{path.stem}-export.png"))
        finally:
            browser.close()
