"""The workbench's Panel components (they need the ``app`` extra: Panel, plotly).

``ConfigBuilder``, ``DataInspector``, ``TrainingMonitor`` and ``StepExplorer`` share one
``WorkbenchSession``; ``app()`` composes them. They display in ``panel serve`` and in
JupyterLab (``pn.extension("plotly", "codeeditor", inline=True)``).
"""
from workbench.ui.app import app
from workbench.ui.build import ConfigBuilder
from workbench.ui.data import DataInspector
from workbench.ui.session import WorkbenchSession
from workbench.ui.step import StepExplorer
from workbench.ui.train import TrainingMonitor

__all__ = ["ConfigBuilder", "DataInspector", "StepExplorer", "TrainingMonitor", "WorkbenchSession", "app"]
