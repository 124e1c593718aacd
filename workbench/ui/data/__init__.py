"""The data tab (being moved here: state.py, figures.py, view.py)."""
from workbench.ui.data_inspector import DataInspector

__all__ = ["DataInspector"]
