"""The Build tab: ``BuildState`` (state.py, no Panel), the layer forms (forms.py) and the view."""

__all__ = ["ConfigBuilder"]


def __getattr__(name):                 # the view (and Panel) load on first use: state.py needs neither
    if name == "ConfigBuilder":
        from workbench.ui.build.view import ConfigBuilder
        return ConfigBuilder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
