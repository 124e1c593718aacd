"""The RNN Workbench web app: ``panel serve apps/workbench.py`` (``make run``), then open
http://localhost:5006/workbench ."""
import sys
from pathlib import Path

# panel serve puts this folder first on sys.path, where this very file would shadow the
# ``workbench`` package it imports: take the folder off the path.
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]

import panel as pn  # noqa: E402

from workbench.ui.app import EXTENSIONS, page  # noqa: E402

pn.extension(*EXTENSIONS, sizing_mode="stretch_width")
page().servable(title="RNN Workbench")
