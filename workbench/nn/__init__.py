"""The engine: layer configurations (re-exported from ``workbench.conf``), MultiLayerNetwork and its Trainer."""
from workbench.conf import *  # noqa: F401,F403  (the configuration vocabulary, as DL4J's nn.conf)
from workbench.conf import __all__ as _conf_all
from workbench.nn.network import MultiLayerNetwork
from workbench.nn.training import Trainer, TrainingDivergedError

__all__ = [*_conf_all, "MultiLayerNetwork", "Trainer", "TrainingDivergedError"]
