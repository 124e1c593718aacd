"""Files a network is written to and read from: the model zip (``save_network`` /
``load_network``, behind ``net.save`` / ``MultiLayerNetwork.load``). Loading never runs code."""
from workbench.errors import ModelFileError
from workbench.io.model_file import FORMAT_VERSION, load_network, save_network

__all__ = ["FORMAT_VERSION", "ModelFileError", "load_network", "save_network"]
