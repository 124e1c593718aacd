"""The Build tab: ``BuildState`` (state.py, no Panel), the layer forms (forms.py) and the view."""
from workbench.ui.build.view import ConfigBuilder

__all__ = ["ConfigBuilder"]
