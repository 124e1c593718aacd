"""The Train tab: ``TrainingMonitor`` (view.py) over ``TrainState`` (state.py), figures in figures.py."""

__all__ = ["TrainingMonitor"]


def __getattr__(name):                 # the view (and Panel) load on first use: state.py needs neither
    if name == "TrainingMonitor":
        from workbench.ui.train.view import TrainingMonitor
        return TrainingMonitor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
