"""The experiment as a URL and lesson links: encoding, damaged links, what a link restores and hides."""
import base64
import dataclasses
import zlib
from urllib.parse import parse_qs

import pytest

from workbench.conf import LSTM, Adam, InputType, MultiLayerConfiguration, RnnOutputLayer
from workbench.errors import ConfigurationError
from workbench.ui.catalog import TASKS
from workbench.ui.url_state import (
    MAX_CONF_CHARS, decode_conf, encode_conf, experiment_query, first_values, hidden, parse_epochs, search_string,
)

TASK = TASKS["UCI synthetic control"]


def test_configuration_round_trips_through_url_text():
    conf = MultiLayerConfiguration([LSTM(12), RnnOutputLayer(6)], input_type=InputType.recurrent(1),
                                   updater=Adam(0.003), seed=9, backprop_type="tbptt", tbptt_fwd_length=20)
    text = encode_conf(conf)
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_conf(text) == conf and len(text) < len(conf.to_json())


@pytest.mark.parametrize("text, says", [
    ("%%%%", "not a configuration"),
    (base64.urlsafe_b64encode(b"plain bytes").decode(), "not a configuration"),
    (base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe")).decode(), "not a configuration"),
    (base64.urlsafe_b64encode(zlib.compress(b" " * (2 << 20))).decode(), "inflates to more than"),
    ("A" * (MAX_CONF_CHARS + 1), "characters long"),
])
def test_damaged_configuration_text_is_refused_by_name(text, says):
    with pytest.raises(ConfigurationError, match=says) as info:
        decode_conf(text)
    assert info.value.field == "conf"


def test_json_that_is_no_configuration_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        decode_conf(base64.urlsafe_b64encode(zlib.compress(b'{"layers": 3}')).decode())


def test_query_leaves_out_the_task_defaults():
    assert experiment_query(TASK, TASK.default_config(), TASK.epochs) == {"task": TASK.name}
    changed = dataclasses.replace(TASK.default_config(), seed=5)
    query = experiment_query(TASK, changed, 3)
    assert decode_conf(query["conf"]).seed == 5 and query["epochs"] == "3"


def test_search_string_keeps_lesson_flags_only():
    s = search_string({"task": "Tiny Shakespeare"}, {"hide": "data,step", "tab": "train", "other": "x"})
    assert s.startswith("?") and parse_qs(s[1:]) == {"task": ["Tiny Shakespeare"], "hide": ["data,step"],
                                                     "tab": ["train"]}


def test_lesson_names_and_session_args():
    assert hidden({"hide": " Data, ,train.save "}) == {"data", "train.save"}
    assert hidden({}) == set()
    assert first_values({"task": [b"JapaneseVowels"], "x": []}) == {"task": "JapaneseVowels"}


@pytest.mark.parametrize("text", ["0", "-3", "100001", "2.5", "many"])
def test_epochs_from_a_link_are_checked(text):
    with pytest.raises(ConfigurationError, match="epochs"):
        parse_epochs(text)
    assert parse_epochs("7") == 7
