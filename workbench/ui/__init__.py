"""The workbench's Panel components (they need the ``app`` extra: Panel, plotly).

One folder per tab: ``build`` (``ConfigBuilder``), ``data`` (``DataInspector``), ``train``
(``TrainingMonitor``) and ``step`` (``StepExplorer``). Each holds ``state.py`` (the tab's state
and actions, a ``param.Parameterized`` without Panel: ``view.state``), ``figures.py`` (pure plotly
functions) and ``view.py`` (the widgets). All four share one ``WorkbenchSession``. ``page()`` is
the served page (template, URL state, lesson links); ``app()`` the same tabs for a notebook cell,
where they display after ``pn.extension(*workbench.ui.EXTENSIONS, inline=True)``.
"""
from workbench.ui.app import EXTENSIONS, app, page
from workbench.ui.build import ConfigBuilder
from workbench.ui.data import DataInspector
from workbench.ui.session import WorkbenchSession
from workbench.ui.step import StepExplorer
from workbench.ui.train import TrainingMonitor

__all__ = ["EXTENSIONS", "ConfigBuilder", "DataInspector", "StepExplorer", "TrainingMonitor", "WorkbenchSession", "app", "page"]
