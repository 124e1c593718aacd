"""The workbench's Panel components (they need the ``app`` extra: Panel, plotly).

``ConfigBuilder``, ``DataInspector``, ``TrainingMonitor`` and ``StepExplorer`` share one
``WorkbenchSession``; ``app()`` composes them. They display in ``panel serve`` and in
JupyterLab (``pn.extension("plotly", inline=True)``).
"""
from workbench.ui.session import WorkbenchSession

__all__ = ["WorkbenchSession"]
