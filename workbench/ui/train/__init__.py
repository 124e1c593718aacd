"""The Train tab: ``TrainingMonitor`` (view.py) over ``TrainState`` (state.py), figures in figures.py."""
from workbench.ui.train.view import TrainingMonitor

__all__ = ["TrainingMonitor"]
