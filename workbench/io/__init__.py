"""Files a network is written to and read from: the model zip (``save_network`` /
``load_network``, behind ``net.save`` / ``MultiLayerNetwork.load``; loading never runs code) and
an ONNX model for deployment (``export_onnx``, needs the ``onnx`` extra)."""
from workbench.errors import ModelFileError
from workbench.io.model_file import FORMAT_VERSION, load_network, save_network
from workbench.io.onnx_export import export_onnx

__all__ = ["FORMAT_VERSION", "ModelFileError", "export_onnx", "load_network", "save_network"]
