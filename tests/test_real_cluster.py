"""A real multi-process Dask cluster on loopback: `dask scheduler` and two `dask worker` processes
started by the test (torn down by PID), reached by address as a user's cluster would be:
data-parallel training equals net.fit, and a sweep trains its points there."""
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from workbench.distributed import connect, fit_data_parallel, sweep  # noqa: E402
from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer  # noqa: E402

from test_data_parallel import series  # noqa: E402

DASK = os.path.join(os.path.dirname(sys.executable), "dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def address(tmp_path_factory):
    port, log = free_port(), tmp_path_factory.mktemp("cluster") / "cluster.log"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=env, stdout=subprocess.DEVNULL, stderr=open(log, "a"))]
    try:
        procs += [subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                                    "--no-nanny", "--host", "127.0.0.1"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=open(log, "a")) for _ in range(2)]
        client = connect(address)
        end = time.monotonic() + 60
        while len(client.ncores()) < 2:
            assert time.monotonic() < end, log.read_text()[-3000:]
            time.sleep(0.1)
        client.close()
        yield address
    finally:
        for p in reversed(procs):                # by PID: only the processes this test started
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_data_parallel_on_a_real_cluster_equals_fit_here(address):
    conf = MultiLayerConfiguration([LSTM(5), RnnOutputLayer(2)], input_type=InputType.recurrent(3), seed=2,
                                   dtype="float64", updater=Adam(0.01), backprop_type="tbptt", tbptt_fwd_length=4)
    here, there = MultiLayerNetwork(conf).init(), MultiLayerNetwork(conf).init()
    here.fit(series(), epochs=2)
    client = connect(address)
    try:
        assert len(client.ncores()) == 2 and os.getpid() not in client.run(os.getpid).values()
        fit_data_parallel(there, series(), client, epochs=2)
        points = sweep(conf, {"updater.lr": [0.01, 0.1]}, series(), client=client)
    finally:
        client.close()
    np.testing.assert_allclose(there.params_vector(), here.params_vector(), rtol=0, atol=1e-10)
    assert [p.error for p in points] == [None, None] and len(points[0].history) == len(points[1].history) > 0
