"""Shared test helpers (kept small)."""
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from workbench.data import DataSet

# Hypothesis profiles: "ci" (the default: hypothesis's 100 examples, no deadline on a busy machine)
# and "long" for the opt-in fuzzing run (make fuzz: pytest -m fuzz --hypothesis-profile=long).
_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("long", max_examples=20_000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile("ci")

# The app's run store: never the user's (served pages and sessions in tests keep their runs here)
os.environ["WORKBENCH_RUNS"] = os.path.join(tempfile.mkdtemp(prefix="workbench-test-runs-"), "runs.sqlite")


def _classification_data(n=4, n_in=3, n_out=2, t=5, seed=0, dtype=np.float64):
    """A random 3-d classification DataSet: features [n, n_in, t], one-hot labels [n, n_out, t]."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, n_in, t)).astype(dtype)
    classes = rng.integers(0, n_out, size=(n, t))
    labels = np.moveaxis(np.eye(n_out, dtype=dtype)[classes], 2, 1)  # [n, t, n_out] -> [n, n_out, t]
    return DataSet(features, np.ascontiguousarray(labels))


@pytest.fixture
def make_rnn_data():
    """Factory fixture: ``make_rnn_data(n=4, n_in=3, n_out=2, t=5, seed=0)`` -> DataSet."""
    return _classification_data
