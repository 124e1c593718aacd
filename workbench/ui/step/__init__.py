"""The Step tab: feed an example to a network one time step at a time (or scrub a bidirectional one)."""

__all__ = ["StepExplorer"]


def __getattr__(name):                 # the view (and Panel) load on first use: state.py needs neither
    if name == "StepExplorer":
        from workbench.ui.step.view import StepExplorer
        return StepExplorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
