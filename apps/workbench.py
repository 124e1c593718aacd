"""The RNN Workbench web app: ``panel serve apps/workbench.py`` (``make run``), then open
http://localhost:5006/workbench ."""
import panel as pn

from workbench.ui.app import app

pn.extension("plotly", sizing_mode="stretch_width")
app().servable(title="RNN Workbench")
