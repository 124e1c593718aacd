"""Each tab's state is plain param: importing and driving it loads no Panel (nor Bokeh, nor Dask)."""
import subprocess
import sys

CODE = """
import sys
from workbench.ui.session import WorkbenchSession
from workbench.ui.build.state import BuildState
from workbench.ui.data.state import DataState
from workbench.ui.step.state import StepState
from workbench.ui.train.state import TrainState
from workbench.ui.runs.state import RunsState
session = WorkbenchSession("Airline passengers")
build, data, train, step = (cls(session=session) for cls in (BuildState, DataState, TrainState, StepState))
build.add_layer("LSTM")
assert build.valid, build.message
data.select("UCI synthetic control")
assert session.task.name == "UCI synthetic control"
assert step.step(3) == 3
runs = RunsState(session=session)
assert runs.rows == [] and "keeps no runs" in runs.message
loaded = [m for m in ("panel", "bokeh", "distributed") if m in sys.modules]
assert not loaded, loaded
"""


def test_tab_states_run_without_panel():
    run = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
