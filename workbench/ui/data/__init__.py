"""The Data tab: ``DataInspector`` (view.py) over ``DataState`` (state.py), figures in figures.py."""
from workbench.ui.data.view import DataInspector

__all__ = ["DataInspector"]
