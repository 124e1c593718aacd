"""The workbench's Panel components (they need the ``app`` extra: Panel, plotly).

``ConfigBuilder``, ``DataInspector``, ``TrainingMonitor`` and ``StepExplorer`` share one
``WorkbenchSession``; ``app()`` composes them. They display in ``panel serve`` and in
JupyterLab (``pn.extension("plotly", "codeeditor", inline=True)``).
"""
from workbench.ui.app import app
from workbench.ui.config_builder import ConfigBuilder
from workbench.ui.data_inspector import DataInspector
from workbench.ui.session import WorkbenchSession
from workbench.ui.step_explorer import StepExplorer
from workbench.ui.training_monitor import TrainingMonitor

__all__ = ["ConfigBuilder", "DataInspector", "StepExplorer", "TrainingMonitor", "WorkbenchSession", "app"]
