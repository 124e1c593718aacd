"""Preprocessor laws, automatic insertion, and the configuration of composite networks."""
import numpy as np
import pytest

from workbench.conf import (
    LSTM, Bidirectional, CnnToFeedForwardPreProcessor, CnnToRnnPreProcessor, ConfigurationError, ConvolutionLayer,
    DenseLayer, FeedForwardToCnnPreProcessor, FeedForwardToRnnPreProcessor, GravesBidirectionalLSTM, GravesLSTM,
    InputType, LastTimeStep, MultiLayerConfiguration, OutputLayer, RnnOutputLayer, RnnToCnnPreProcessor,
    RnnToFeedForwardPreProcessor, SimpleRnn, SubsamplingLayer, layer_from_dict,
)

B, F, T = 3, 4, 5
X = np.fromfunction(lambda b, j, t: 100 * b + 10 * j + t, (B, F, T))       # x[b, j, t] = 100 b + 10 j + t


def test_rnn_to_feed_forward_is_time_major():
    rows = RnnToFeedForwardPreProcessor().pre_process(X, B)
    assert rows.shape == (T * B, F)
    for b in range(B):
        for t in range(T):
            np.testing.assert_array_equal(rows[t * B + b], X[b, :, t])


def test_feed_forward_to_rnn_is_the_inverse():
    rows = RnnToFeedForwardPreProcessor().pre_process(X, B)
    np.testing.assert_array_equal(FeedForwardToRnnPreProcessor().pre_process(rows, B), X)
    with pytest.raises(ValueError, match="15 rows is not a multiple of the minibatch size 4"):
        FeedForwardToRnnPreProcessor().pre_process(rows, 4)


def test_cnn_to_rnn_equals_cnn_to_feed_forward_then_feed_forward_to_rnn():
    frames = np.random.default_rng(0).normal(size=(T * B, 2, 3, 2))           # time-major frames
    shape = dict(height=3, width=2, channels=2)
    direct = CnnToRnnPreProcessor(**shape).pre_process(frames, B)
    via = FeedForwardToRnnPreProcessor().pre_process(CnnToFeedForwardPreProcessor(**shape).pre_process(frames, B), B)
    assert direct.shape == (B, 12, T)
    np.testing.assert_array_equal(direct, via)
    np.testing.assert_array_equal(direct[1, :, 2], frames[2 * B + 1].reshape(-1))    # [c, h, w] order
    np.testing.assert_array_equal(RnnToCnnPreProcessor(**shape).pre_process(direct, B), frames)
    np.testing.assert_array_equal(FeedForwardToCnnPreProcessor(**shape).pre_process(
        CnnToFeedForwardPreProcessor(**shape).pre_process(frames, B), B), frames)


@pytest.mark.parametrize("pp,x", [
    (RnnToFeedForwardPreProcessor(), X),
    (FeedForwardToRnnPreProcessor(), X.transpose(2, 0, 1).reshape(T * B, F)),
    (CnnToFeedForwardPreProcessor(3, 2, 2), np.arange(60.0).reshape(5, 2, 3, 2)),
    (FeedForwardToCnnPreProcessor(3, 2, 2), np.arange(60.0).reshape(5, 12)),
    (CnnToRnnPreProcessor(3, 2, 2), np.arange(15 * 12.0).reshape(15, 2, 3, 2)),
    (RnnToCnnPreProcessor(3, 2, 2), np.arange(3 * 12 * 5.0).reshape(3, 12, 5)),
])
def test_backprop_is_the_inverse_reshape(pp, x):
    y = pp.pre_process(x, B)
    eps = np.random.default_rng(1).normal(size=y.shape)
    back = pp.backprop(eps, B)
    assert back.shape == x.shape
    # the inverse reshape maps eps back the way pre_process mapped x forward
    np.testing.assert_array_equal(pp.pre_process(back, B), eps)


def auto(layers, it):
    return MultiLayerConfiguration(layers, input_type=it).built_preprocessors


def test_auto_insertion_dense_rnn_dense_output():
    layers = [DenseLayer(6), GravesLSTM(5), DenseLayer(4), RnnOutputLayer(3)]
    pps = auto(layers, InputType.feed_forward(F))
    assert {i: type(p) for i, p in pps.items()} == {
        1: FeedForwardToRnnPreProcessor, 2: RnnToFeedForwardPreProcessor, 3: FeedForwardToRnnPreProcessor}
    with_series = auto(layers, InputType.recurrent(F))      # a time series in: flattened first
    assert type(with_series[0]) is RnnToFeedForwardPreProcessor and len(with_series) == 4


def test_rnn_to_rnn_gets_none():
    assert auto([LSTM(4), GravesLSTM(3), SimpleRnn(3), RnnOutputLayer(2)], InputType.recurrent(F)) == {}


def test_cnn_and_lstm_both_ways():
    it = InputType.recurrent(100, height=10, width=10, channels=1)     # video: [batch, 1*10*10, time]
    conf = MultiLayerConfiguration([ConvolutionLayer(4, kernel_size=3), SubsamplingLayer("max", 2), LSTM(6),
                                    RnnOutputLayer(2)], input_type=it)
    assert conf.built_preprocessors == {0: RnnToCnnPreProcessor(10, 10, 1), 2: CnnToRnnPreProcessor(4, 4, 4)}
    assert conf.built_layers[2].n_in == 64
    lstm_then_cnn = MultiLayerConfiguration([LSTM(8), ConvolutionLayer(2, kernel_size=1), DenseLayer(3),
                                             OutputLayer(2)], input_type=InputType.recurrent(F))
    assert lstm_then_cnn.built_preprocessors[1] == RnnToCnnPreProcessor(1, 1, 8)
    assert type(lstm_then_cnn.built_preprocessors[2]) is CnnToFeedForwardPreProcessor


def test_an_explicit_preprocessor_wins():
    explicit = {0: RnnToCnnPreProcessor(5, 4, 5)}
    conf = MultiLayerConfiguration([ConvolutionLayer(2, kernel_size=2), LSTM(3), RnnOutputLayer(2)],
                                   input_type=InputType.recurrent(100), input_preprocessors=explicit)
    assert conf.built_preprocessors[0] == RnnToCnnPreProcessor(5, 4, 5)
    assert conf.built_layers[0].n_in == 5 and conf.built_layers[1].n_in == 2 * 4 * 3
    with pytest.raises(ConfigurationError, match="does not fit") as e:
        MultiLayerConfiguration([ConvolutionLayer(2, kernel_size=2), RnnOutputLayer(2)],
                                input_type=InputType.recurrent(99), input_preprocessors=explicit)
    assert e.value.layer == 0 and e.value.field == "input_preprocessors"


def test_sizes_flow_through_wrappers():
    conf = MultiLayerConfiguration([Bidirectional(LSTM(5)), LastTimeStep(GravesLSTM(4)), OutputLayer(2)],
                                   input_type=InputType.recurrent(F))
    assert conf.built_layers[0].layer.n_in == F and conf.built_layers[0].n_out == 10
    assert conf.built_layers[1].layer.n_in == 10
    assert conf.built_layers[2].n_in == 4 and conf.built_preprocessors == {}


@pytest.mark.parametrize("layers", [
    [Bidirectional(LSTM(3)), RnnOutputLayer(2)],
    [GravesBidirectionalLSTM(3), RnnOutputLayer(2)],
    [LSTM(3), LastTimeStep(LSTM(3)), OutputLayer(2)],
])
def test_tbptt_with_a_layer_that_needs_the_whole_sequence_is_an_error(layers):
    with pytest.raises(ConfigurationError, match="truncated BPTT") as e:
        MultiLayerConfiguration(layers, input_type=InputType.recurrent(F), backprop_type="tbptt",
                                tbptt_fwd_length=4)
    assert e.value.field == "backprop_type" and e.value.layer == len(layers) - 2


@pytest.mark.parametrize("bad,field", [
    (lambda: Bidirectional(DenseLayer(3)), "layer"),
    (lambda: Bidirectional(LSTM(3), mode="max"), "mode"),
    (lambda: LastTimeStep(DenseLayer(3)), "layer"),
    (lambda: ConvolutionLayer(3, kernel_size=0), "kernel_size"),
    (lambda: ConvolutionLayer(3, kernel_size=(2, 2, 2)), "kernel_size"),
    (lambda: ConvolutionLayer(3, padding=-1), "padding"),
    (lambda: SubsamplingLayer("median"), "pooling"),
    (lambda: CnnToRnnPreProcessor(0, 2, 2), "height"),
    (lambda: MultiLayerConfiguration([ConvolutionLayer(2, kernel_size=7), OutputLayer(2)],
                                     input_type=InputType.convolutional(5, 5, 1)), "kernel_size"),
    (lambda: MultiLayerConfiguration([ConvolutionLayer(2, n_in=3), OutputLayer(2)],
                                     input_type=InputType.convolutional(5, 5, 1)), "n_in"),
    (lambda: InputType.recurrent(10, height=3, width=3, channels=1), "input_type"),
])
def test_configuration_errors(bad, field):
    with pytest.raises(ConfigurationError) as e:
        bad()
    assert e.value.field == field


NEW_LAYERS = [
    ConvolutionLayer(4, kernel_size=(3, 2), stride=2, padding=(1, 0), activation="tanh", n_in=2),
    SubsamplingLayer("avg", kernel_size=3, stride=1),
    Bidirectional(GravesLSTM(3, activation="softsign"), mode="mul"),
    GravesBidirectionalLSTM(5, forget_gate_bias_init=0.5),
    LastTimeStep(Bidirectional(SimpleRnn(2))),
]


@pytest.mark.parametrize("layer", NEW_LAYERS)
def test_new_layers_round_trip(layer):
    assert layer_from_dict(layer.to_dict()) == layer


def test_configuration_with_preprocessors_round_trips_through_json():
    conf = MultiLayerConfiguration(
        [ConvolutionLayer(2, kernel_size=2), SubsamplingLayer(), LSTM(3), LastTimeStep(Bidirectional(LSTM(2))),
         DenseLayer(4), OutputLayer(2)],
        input_type=InputType.recurrent(36, height=6, width=6, channels=1),
        input_preprocessors={0: RnnToCnnPreProcessor(6, 6, 1), 2: CnnToRnnPreProcessor()})
    again = MultiLayerConfiguration.from_json(conf.to_json())
    assert again == conf and again.to_json() == conf.to_json()
    assert again.built_preprocessors == conf.built_preprocessors
    assert again.built_preprocessors[2] == CnnToRnnPreProcessor(2, 2, 2)


def test_a_partial_image_shape_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="height, width and channels together"):
        RnnToCnnPreProcessor(height=5)
