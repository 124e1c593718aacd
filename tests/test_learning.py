"""Learning on real data: a GravesLSTM classifies the UCI synthetic control charts."""
import time

import pytest

from workbench.data.datasets import uci_synthetic_control
from workbench.demo import minibatches, uci_configuration


@pytest.mark.slow
def test_graves_lstm_reaches_90_percent_on_uci_synthetic_control_within_a_minute():
    from workbench.nn import MultiLayerNetwork
    train, test = uci_synthetic_control()
    net = MultiLayerNetwork(uci_configuration()).init()
    start = time.perf_counter()
    net.fit(minibatches(train, 32), epochs=40)
    elapsed = time.perf_counter() - start
    accuracy = net.evaluate(test).accuracy()
    assert accuracy >= 0.90, f"test accuracy {accuracy:.3f} after 40 epochs"
    assert elapsed < 60, f"training took {elapsed:.1f} s"
