"""Runtime layers (the math); their configurations are in ``workbench.conf``."""
