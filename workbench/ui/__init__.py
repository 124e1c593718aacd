"""The workbench's Panel components (they need the ``app`` extra: Panel, plotly).

One folder per tab: ``build`` (``ConfigBuilder``), ``data`` (``DataInspector``), ``train``
(``TrainingMonitor``) and ``step`` (``StepExplorer``). Each holds ``state.py`` (the tab's state
and actions, a ``param.Parameterized`` without Panel: ``view.state``), ``figures.py`` (pure plotly
functions) and ``view.py`` (the widgets). All four share one ``WorkbenchSession``. ``page()`` is
the served page (template, URL state, lesson links); ``app()`` the same tabs for a notebook cell,
where they display after ``pn.extension(*workbench.ui.EXTENSIONS, inline=True)``.
"""
_WHERE = {"EXTENSIONS": "app", "app": "app", "page": "app", "ConfigBuilder": "build", "DataInspector": "data",
          "TrainingMonitor": "train", "StepExplorer": "step", "WorkbenchSession": "session"}
__all__ = sorted(_WHERE)


def __getattr__(name):                 # Panel loads with the first view: the tab states need only param
    if name in _WHERE:
        import importlib
        return getattr(importlib.import_module(f"workbench.ui.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
