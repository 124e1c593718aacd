"""The Step tab: feed an example to a network one time step at a time (or scrub a bidirectional one)."""
from workbench.ui.step.view import StepExplorer

__all__ = ["StepExplorer"]
