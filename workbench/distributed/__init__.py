"""Training past one process, on Dask (``distributed``): where runs execute.

``local_cluster()`` starts the embedded cluster of worker processes, ``connect()`` reaches a
running one (``$WORKBENCH_DASK_ADDRESS``) or starts the embedded one. Runs submitted to a client
are in :mod:`workbench.runs.remote`. ``import workbench`` never imports this package, so Dask is
needed only by those who use it (``pip install "rnn-workbench[dask]"``).
"""
from workbench.distributed.cluster import ADDRESS_VARIABLE, connect, local_cluster
from workbench.errors import WorkerLostError

__all__ = ["ADDRESS_VARIABLE", "WorkerLostError", "connect", "local_cluster"]
