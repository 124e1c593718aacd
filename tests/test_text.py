"""CharacterIterator: the DataSetIterator of DL4J's character example."""
import numpy as np
import pytest

from workbench.data.datasets import tiny_shakespeare, tiny_shakespeare_text
from workbench.data.iterators import DataSetIterator
from workbench.data.text import CharacterIterator

ALPHABET = "abcdefghij"


def random_text(n=1000, seed=0, alphabet=ALPHABET):
    rng = np.random.default_rng(seed)
    return "".join(np.array(list(alphabet))[rng.integers(0, len(alphabet), n)].tolist())


def decoded(it, ds):
    """(features text, labels text) of every example of a minibatch."""
    return ([it.decode(row) for row in ds.features.argmax(axis=1)],
            [it.decode(row) for row in ds.labels.argmax(axis=1)])


def same_pass(a, b):
    return len(a) == len(b) and all(np.array_equal(x.features, y.features) and np.array_equal(x.labels, y.labels)
                                    for x, y in zip(a, b))


@pytest.fixture(scope="module")
def shakespeare():
    return tiny_shakespeare_text()


def test_is_a_dataset_iterator_with_onehot_batches():
    it = CharacterIterator(random_text(), batch_size=4, sequence_length=7)
    assert isinstance(it, DataSetIterator)
    ds = next(iter(it))
    assert ds.features.shape == ds.labels.shape == (4, 10, 7)
    assert ds.features.dtype == ds.labels.dtype == np.float32
    assert ds.features.flags.c_contiguous and ds.labels.flags.c_contiguous
    np.testing.assert_array_equal(ds.features.sum(axis=1), 1)
    np.testing.assert_array_equal(ds.labels.sum(axis=1), 1)
    assert ds.features_mask is None and ds.labels_mask is None


def test_labels_are_the_next_characters_of_the_text(shakespeare):
    it = tiny_shakespeare(batch_size=16, sequence_length=60, seed=1, examples_per_epoch=48)
    for ds in it:
        for f, l in zip(*decoded(it, ds)):
            assert len(f) == len(l) == 60
            assert f[1:] == l[:-1]
            assert f + l[-1] in shakespeare


def test_a_pass_visits_every_window_once():
    text = random_text(1003, seed=5)
    it = CharacterIterator(text, batch_size=8, sequence_length=10, examples_per_epoch=100)
    assert it.num_windows == 100 and len(it) == 13
    batches = list(it)
    assert [b.num_examples() for b in batches] == [8] * 12 + [4]  # the last minibatch is smaller
    seen = [f + l[-1] for b in batches for f, l in zip(*decoded(it, b))]
    assert sorted(seen) == sorted(text[s:s + 11] for s in range(0, 1000, 10))


def test_default_examples_per_epoch_is_whole_minibatches_of_windows():
    it = CharacterIterator(random_text(1000), batch_size=8, sequence_length=10)
    assert it.num_windows == 99 and it.examples_per_epoch == 96 and len(it) == 12
    assert len(list(it)) == 12
    small = CharacterIterator(random_text(50), batch_size=32, sequence_length=10)  # fewer windows than a batch
    assert small.examples_per_epoch == 4 and [b.num_examples() for b in small] == [4]


def test_more_examples_than_windows_repeat_the_windows():
    text = random_text(201)
    it = CharacterIterator(text, batch_size=5, sequence_length=10, examples_per_epoch=45)
    seen = [f for b in it for f in decoded(it, b)[0]]
    assert len(seen) == 45
    windows = {text[s:s + 10] for s in range(0, 200, 10)}
    assert set(seen) == windows  # two full permutations of the 20 windows, then 5 more


def test_reset_reproduces_the_pass_and_seeds_differ():
    text = random_text(3000)
    it = CharacterIterator(text, batch_size=4, sequence_length=20, seed=7)
    first = list(it)
    assert not same_pass(first, list(it))  # without reset the generator goes on
    it.reset()
    assert same_pass(first, list(it))
    assert same_pass(first, list(CharacterIterator(text, batch_size=4, sequence_length=20, seed=7)))
    assert not same_pass(first, list(CharacterIterator(text, batch_size=4, sequence_length=20, seed=8)))


def test_fit_runs_several_epochs_and_resets_each_time():
    from workbench.nn import LSTM, Adam, InputType, MultiLayerConfiguration, MultiLayerNetwork, RnnOutputLayer

    text = "the cat sat on the mat. " * 20
    it = CharacterIterator(text, batch_size=4, sequence_length=12, seed=0)
    v = it.vocab_size
    conf = MultiLayerConfiguration([LSTM(16), RnnOutputLayer(v, loss="mcxent", activation="softmax")],
                                   input_type=InputType.recurrent(v), updater=Adam(0.02), seed=1)
    net = MultiLayerNetwork(conf).init()
    scores = []
    net.fit(it, epochs=15, listeners=[lambda i, e, s, info: scores.append((e, info["batch"], s))])
    assert len(scores) == 15 * len(it)
    assert [b for _, b, _ in scores[:len(it)]] == list(range(len(it)))
    first_epoch = np.mean([s for e, _, s in scores if e == scores[0][0]])
    last_epoch = np.mean([s for e, _, s in scores if e == scores[-1][0]])
    assert last_epoch < 0.6 * first_epoch


def test_vocab_encode_decode_and_one_hot(shakespeare):
    it = tiny_shakespeare(batch_size=2, sequence_length=10)
    assert it.vocab == sorted(set(shakespeare)) and len(it.vocab) == 65
    assert all(it.char_to_index[c] == i for i, c in enumerate(it.vocab))
    codes = it.encode("First Citizen:\n")
    assert codes.dtype == np.int64 and codes.tolist() == [it.char_to_index[c] for c in "First Citizen:\n"]
    assert it.decode(codes) == "First Citizen:\n"
    assert it.decode(list(codes)) == "First Citizen:\n" and it.decode([]) == "" and it.decode(np.int64(0)) == "\n"
    assert it.decode(it.encode(shakespeare[:5000])) == shakespeare[:5000]
    x = it.one_hot("ROMEO")
    assert x.shape == (1, 65, 5) and x.dtype == np.float32
    assert it.decode(x[0].argmax(axis=0)) == "ROMEO" and x.sum() == 5


def test_given_vocab_is_kept_in_its_order():
    it = CharacterIterator("abcabcabc", batch_size=1, sequence_length=3, vocab="cbaz")
    assert it.vocab == ["c", "b", "a", "z"] and it.vocab_size == 4
    assert it.encode("abz").tolist() == [2, 1, 3]
    assert it.decode([0, 3]) == "cz"


def test_unknown_characters_are_errors_naming_them():
    with pytest.raises(ValueError, match=r"not in the vocabulary: 'x', 'é'"):
        CharacterIterator("abcxéabc", batch_size=1, sequence_length=2, vocab="abc")
    it = CharacterIterator("abcabc", batch_size=1, sequence_length=2)
    with pytest.raises(ValueError, match=r"'\?'"):
        it.encode("ab?")
    with pytest.raises(ValueError, match="indices must be in"):
        it.decode([0, 3])
    with pytest.raises(ValueError, match="integer"):
        it.decode(np.array([0.5]))


@pytest.mark.parametrize("kw,match", [
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=True), "batch_size"),
    (dict(sequence_length=0), "sequence_length"),
    (dict(sequence_length=20), "at least"),
    (dict(examples_per_epoch=0), "examples_per_epoch"),
    (dict(vocab="abca"), "duplicate"),
    (dict(vocab=["ab", "c"]), "single characters"),
])
def test_bad_arguments(kw, match):
    args = dict(batch_size=2, sequence_length=3)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        CharacterIterator("abcabcabcabc", **args)


def test_non_ascii_text():
    text = "héllo wörld ☃ " * 10
    it = CharacterIterator(text, batch_size=3, sequence_length=5)
    assert "☃" in it.vocab and it.decode(it.encode(text)) == text
    for f, l in zip(*decoded(it, next(iter(it)))):
        assert f[1:] == l[:-1] and f + l[-1] in text


def test_docstring_examples():
    import doctest

    import workbench.data.text as text_module
    result = doctest.testmod(text_module)
    assert result.attempted > 0 and result.failed == 0
