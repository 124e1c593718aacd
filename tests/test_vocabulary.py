"""The configuration's vocabulary: every field has its one-line doc with the DL4J name, and the
choices editors offer are the ones the configuration classes accept."""
import dataclasses

import pytest

from workbench.conf import Bidirectional, LastTimeStep, LSTM, MultiLayerConfiguration, OutputLayer, SimpleRnn
from workbench.conf.preprocessors import PREPROCESSOR_TYPES
from workbench.conf.registry import LAYER_TYPES
from workbench.conf.updaters import UPDATER_TYPES
from workbench.conf.vocabulary import FIELD_CHOICES, FIELD_DOCS, LAYER_CHOICES, NETWORK_SETTINGS, WRAPPED_CHOICES
from workbench.errors import ConfigurationError

CLASSES = [*LAYER_TYPES.values(), *UPDATER_TYPES.values(), *PREPROCESSOR_TYPES.values()]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_field_has_a_one_line_doc_with_its_dl4j_name(cls):
    for f in dataclasses.fields(cls):
        doc = FIELD_DOCS.get(f.name, "")
        assert doc and "\n" not in doc and "DL4J " in doc, f"{cls.__name__}.{f.name}"


def test_every_network_setting_has_a_doc():
    editable = {f.name for f in dataclasses.fields(MultiLayerConfiguration) if f.init} - {"layers"}
    assert set(NETWORK_SETTINGS) | {"input_type", "input_preprocessors"} == editable
    for name in (*NETWORK_SETTINGS, "input_type"):
        assert "DL4J " in FIELD_DOCS[name], name


def test_the_layer_vocabulary_is_the_registry():
    assert set(LAYER_CHOICES) == set(LAYER_TYPES)
    assert set(WRAPPED_CHOICES) == {"Bidirectional", "LastTimeStep"}
    for wrapper, names in WRAPPED_CHOICES.items():
        for name, cls in LAYER_TYPES.items():
            if "layer" in cls.__dataclass_fields__:
                continue                                       # wrappers need a layer to be built
            inner = cls(3) if "n_out" in cls.__dataclass_fields__ else cls()
            if name in names:
                LAYER_TYPES[wrapper](inner)                    # accepted by the wrapper itself
            else:
                with pytest.raises(ConfigurationError):
                    LAYER_TYPES[wrapper](inner)
    assert "Bidirectional" in WRAPPED_CHOICES["LastTimeStep"]
    LastTimeStep(Bidirectional(SimpleRnn(3)))
    assert not LastTimeStep.accepts(OutputLayer) and Bidirectional.accepts(LSTM)


def test_field_choices_are_accepted_by_the_classes():
    for activation in FIELD_CHOICES["activation"]:
        LSTM(3, activation=activation, gate_activation=activation)
    for name in ("backprop_type", "gradient_normalization", "dtype"):
        for value in FIELD_CHOICES[name]:
            MultiLayerConfiguration([LSTM(3, n_in=2)], tbptt_fwd_length=5, **{name: value})
