"""The step tab (being moved here: state.py, figures.py, view.py)."""
from workbench.ui.step_explorer import StepExplorer

__all__ = ["StepExplorer"]
