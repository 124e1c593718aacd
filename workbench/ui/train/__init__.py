"""The train tab (being moved here: state.py, figures.py, view.py)."""
from workbench.ui.training_monitor import TrainingMonitor

__all__ = ["TrainingMonitor"]
