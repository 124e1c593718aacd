"""The Runs tab: ``RunsView`` (view.py) over ``RunsState`` (state.py), figures in figures.py."""

__all__ = ["RunsState", "RunsView"]


def __getattr__(name):                 # the view (and Panel) load on first use: state.py needs neither
    if name == "RunsView":
        from workbench.ui.runs.view import RunsView
        return RunsView
    if name == "RunsState":
        from workbench.ui.runs.state import RunsState
        return RunsState
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
