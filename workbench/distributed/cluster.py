"""Where runs execute: an embedded ``LocalCluster`` of worker processes, or a running Dask cluster.

Nothing starts on import; ``local_cluster()`` starts the cluster when called and the returned
client owns it: ``client.close()`` stops its scheduler and workers. Each worker process runs its
tasks on ``threads_per_worker`` threads with one BLAS thread (``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` = 1, set before the worker imports NumPy), so a
run in a worker trains as fast as a one-thread run alone and runs on several workers do not
oversubscribe the cores. Their statistical profiler is off (it would take the GIL every 10 ms).
"""
from __future__ import annotations

import logging
import os

import dask
from distributed import Client

from workbench.errors import InvalidInputError

ADDRESS_VARIABLE = "WORKBENCH_DASK_ADDRESS"
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def local_cluster(n_workers: int | None = None, threads_per_worker: int = 1) -> Client:
    """A client of a new ``LocalCluster`` of ``n_workers`` worker processes (None: one per core)
    on this machine, without a dashboard; closing the client closes the cluster."""
    for name, value in (("n_workers", n_workers), ("threads_per_worker", threads_per_worker)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InvalidInputError(f"local_cluster: {name} must be an int >= 1, got {value!r}")
    n_workers = n_workers or os.cpu_count() or 1
    # pre-spawn: set in the worker's environment before its process starts (and NumPy loads); no
    # statistical profiler: it samples the training thread's stack every 10 ms (the dashboard's profile)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": ONE_BLAS_THREAD,
                          "distributed.worker.profile.enabled": False}):
        return Client(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True,
                      dashboard_address=None, env=ONE_BLAS_THREAD, silence_logs=logging.ERROR,
                      set_as_default=False)


def connect(address: str | None = None) -> Client:
    """A client of the cluster at ``address`` (``tcp://host:8786``); without one, of
    ``$WORKBENCH_DASK_ADDRESS`` when set, else of a new :func:`local_cluster`."""
    if address is not None and not isinstance(address, str):
        raise InvalidInputError(f"connect: address must be a str such as 'tcp://host:8786' or None, got "
                                f"{type(address).__name__}")
    address = address or os.environ.get(ADDRESS_VARIABLE) or None
    if address is None:
        return local_cluster()
    return Client(address, set_as_default=False)
