"""The Data tab: ``DataInspector`` (view.py) over ``DataState`` (state.py), figures in figures.py."""

__all__ = ["DataInspector"]


def __getattr__(name):                 # the view (and Panel) load on first use: state.py needs neither
    if name == "DataInspector":
        from workbench.ui.data.view import DataInspector
        return DataInspector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
