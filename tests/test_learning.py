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


@pytest.mark.slow
def test_japanese_vowels_through_csv_files_reaches_95_percent(tmp_path):
    """The guide's Example 4 on real data: written with to_csv_sequences, read back many-to-one
    with ALIGN_END, standardised with training statistics, classified by a GravesLSTM."""
    from workbench.data import (AlignmentMode, CSVSequenceRecordReader, NormalizerStandardize,
                                NumberedFileInputSplit, SequenceRecordReaderDataSetIterator, to_csv_sequences)
    from workbench.data.datasets import japanese_vowels
    from workbench.nn import Adam, GravesLSTM, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    def from_csv(ds, prefix, batch_size):
        files = to_csv_sequences(ds, tmp_path, prefix=prefix)
        readers = [CSVSequenceRecordReader(skip_num_lines=1).initialize(NumberedFileInputSplit(p, 0, files.max_idx))
                   for p in (files.features_pattern, files.labels_pattern)]
        return SequenceRecordReaderDataSetIterator(*readers, batch_size=batch_size, num_possible_labels=9,
                                                   alignment_mode=AlignmentMode.ALIGN_END)
    start = time.perf_counter()
    train_raw, test_raw = japanese_vowels()
    train, test = from_csv(train_raw, "train_", 32), from_csv(test_raw, "test_", 128)
    first = next(iter(train))
    assert first.labels_mask is not None and first.features_mask is not None
    norm = NormalizerStandardize().fit(train)
    conf = MultiLayerConfiguration([GravesLSTM(64), RnnOutputLayer(9)], input_type=InputType.recurrent(12),
                                   updater=Adam(0.005), seed=1)
    net = MultiLayerNetwork(conf).init()
    net.fit(norm.wrap(train), epochs=30)
    accuracy = net.evaluate(norm.wrap(test)).accuracy()
    elapsed = time.perf_counter() - start
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f}"
    assert elapsed < 120, f"took {elapsed:.1f} s"


@pytest.mark.slow
def test_airline_one_step_regressor_beats_the_naive_forecast():
    """Predict next month's log change from the last one; evaluate the last 24 months in
    passengers against "same as last month"."""
    import numpy as np
    from workbench.data import DataSet, NormalizerStandardize
    from workbench.data.datasets import airline_series
    from workbench.eval import RegressionEvaluation
    from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    _, passengers = airline_series()
    change = np.diff(np.log(passengers.astype(np.float64)))              # change[t] = log v[t+1] - log v[t]
    x, y = change[:-1][None, None].astype(np.float32), change[1:][None, None].astype(np.float32)
    n_test = 24
    norm = NormalizerStandardize(fit_labels=True).fit(DataSet(x[:, :, :-n_test], y[:, :, :-n_test]))
    full = norm.transform(DataSet(x, y))
    train = DataSet(full.features[:, :, :-n_test], full.labels[:, :, :-n_test])
    conf = MultiLayerConfiguration([LSTM(32), RnnOutputLayer(1, loss="mse", activation="identity")],
                                   input_type=InputType.recurrent(1), updater=Adam(0.01), seed=4)
    net = MultiLayerNetwork(conf).init()
    net.fit([train] * 300)
    predicted_change = norm.revert_labels(net.output(full.features))[0, 0, -n_test:]
    last_month = passengers[-n_test - 1:-1].astype(np.float64)
    target = passengers[-n_test:].astype(np.float64)[:, None]
    model, naive = RegressionEvaluation(), RegressionEvaluation()
    model.eval(target, (last_month * np.exp(predicted_change))[:, None])
    naive.eval(target, last_month[:, None])
    assert model.root_mean_squared_error() < 0.8 * naive.root_mean_squared_error(), (
        model.root_mean_squared_error(), naive.root_mean_squared_error())
