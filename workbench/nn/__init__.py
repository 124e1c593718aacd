"""The engine: layer configurations (re-exported from ``workbench.conf``) and MultiLayerNetwork."""
from workbench.conf import *  # noqa: F401,F403  (the configuration vocabulary, as DL4J's nn.conf)
from workbench.conf import __all__ as _conf_all
from workbench.nn.network import MultiLayerNetwork
from workbench.nn.training import TrainingDivergedError

__all__ = [*_conf_all, "MultiLayerNetwork", "TrainingDivergedError"]
