"""Learning on real data: a GravesLSTM classifies the UCI synthetic control charts."""
import time

import pytest

from workbench.data.datasets import uci_synthetic_control
from workbench.data import ListDataSetIterator
from workbench.demo import uci_configuration


@pytest.mark.slow
def test_graves_lstm_reaches_90_percent_on_uci_synthetic_control_within_a_minute():
    from workbench.nn import MultiLayerNetwork
    train, test = uci_synthetic_control()
    net = MultiLayerNetwork(uci_configuration()).init()
    start = time.perf_counter()
    net.fit(ListDataSetIterator(train, 32), epochs=40)
    elapsed = time.perf_counter() - start
    accuracy = net.evaluate(test).accuracy()
    assert accuracy >= 0.90, f"test accuracy {accuracy:.3f} after 40 epochs"
    assert elapsed < 60, f"training took {elapsed:.1f} s"


@pytest.mark.slow
def test_cnn_lstm_classifies_moving_shapes_within_a_minute():
    from workbench.data.datasets import moving_shapes
    from workbench.nn import (Adam, ConvolutionLayer, InputType, LSTM, MultiLayerConfiguration,
                              MultiLayerNetwork, RnnOutputLayer, SubsamplingLayer)
    train, test = moving_shapes(600, seed=1).split_test_and_train(450)
    size = 10
    conf = MultiLayerConfiguration(
        [ConvolutionLayer(8, kernel_size=3, padding=1), SubsamplingLayer("max", 2), LSTM(24), RnnOutputLayer(4)],
        input_type=InputType.recurrent(size * size, height=size, width=size, channels=1),
        updater=Adam(0.01), seed=7)
    net = MultiLayerNetwork(conf).init()
    start = time.perf_counter()
    net.fit(ListDataSetIterator(train, 32), epochs=15)
    elapsed = time.perf_counter() - start
    accuracy = net.evaluate(test).accuracy()
    assert accuracy >= 0.90, f"test accuracy {accuracy:.3f}"
    assert elapsed < 60, f"training took {elapsed:.1f} s"


@pytest.mark.slow
def test_bidirectional_beats_unidirectional_when_the_label_is_in_the_future():
    from workbench.data.datasets import shifted_symbols
    from workbench.nn import (LSTM, Adam, Bidirectional, InputType, MultiLayerConfiguration, MultiLayerNetwork,
                              RnnOutputLayer)
    train, test = shifted_symbols(512, seed=0), shifted_symbols(256, seed=1)
    accuracy = {}
    for name, layer in (("uni", LSTM(16)), ("bi", Bidirectional(LSTM(16)))):
        conf = MultiLayerConfiguration([layer, RnnOutputLayer(2)], input_type=InputType.recurrent(2),
                                       updater=Adam(0.02), seed=1)
        net = MultiLayerNetwork(conf).init()
        net.fit(ListDataSetIterator(train, 32), epochs=15)
        accuracy[name] = net.evaluate(test).accuracy()
    assert accuracy["bi"] >= 0.95 and accuracy["uni"] <= 0.65, accuracy
