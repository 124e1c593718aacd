"""Training past one process, on Dask (``distributed``): where runs execute.

``local_cluster()`` starts the embedded cluster of worker processes, ``connect()`` reaches a
running one (``$WORKBENCH_DASK_ADDRESS``) or starts the embedded one; ``fit_data_parallel``
trains one network on all of them (:mod:`workbench.distributed.data_parallel`), ``sweep`` and
``sweep_iter`` train one network per point of a hyperparameter grid on them
(:mod:`workbench.distributed.sweeps`). Runs submitted to a client
are in :mod:`workbench.runs.remote`. ``import workbench`` never imports this package, so Dask is
needed only by those who use it (``pip install "rnn-workbench[dask]"``).
"""
from workbench.distributed.cluster import ADDRESS_VARIABLE, connect, local_cluster
from workbench.distributed.data_parallel import fit_data_parallel
from workbench.distributed.sweeps import SweepResult, sweep, sweep_iter
from workbench.errors import WorkerLostError

__all__ = ["ADDRESS_VARIABLE", "SweepResult", "WorkerLostError", "connect", "fit_data_parallel", "local_cluster",
           "sweep", "sweep_iter"]
