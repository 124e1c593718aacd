"""workbench.data.batches: counting, indexing and measuring minibatches of any data fit takes."""
import numpy as np
import pytest

from workbench.data import CharacterIterator, DataSet, ListDataSetIterator
from workbench.data.batches import as_sequences, batch_lengths, fresh_pass, nth_batch, num_batches, sequence_lengths
from workbench.errors import InvalidInputError


def padded():
    mask = np.ones((3, 5), np.float32)
    mask[1, 3:] = 0
    mask[2, 1:] = 0
    return DataSet(np.zeros((3, 2, 5)), np.zeros((3, 1, 5)), features_mask=mask)


def test_lengths_from_the_mask_or_the_shape():
    assert batch_lengths(padded()).tolist() == [5, 3, 1]
    assert batch_lengths(DataSet(np.zeros((2, 2, 4)), np.zeros((2, 1, 4)))).tolist() == [4, 4]
    assert batch_lengths(DataSet(np.zeros((2, 3)), np.zeros((2, 1)))).tolist() == [1, 1]


def test_counting_and_indexing_every_kind_of_data():
    ds = padded()
    it = ListDataSetIterator(ds, 2)
    for data, n in ((ds, 1), ([ds, ds], 2), (it, 2), (iter([ds, ds, ds]), 3)):
        assert num_batches(data) == n
    assert nth_batch(ds, 5) is ds
    assert nth_batch(it, 1).num_examples() == 1
    assert sequence_lengths(it).tolist() == [5, 3, 1]
    with pytest.raises(InvalidInputError, match="minibatch 7"):
        nth_batch(it, 7)


def test_a_character_iterator_is_left_alone():
    text = "abcdefghij" * 20
    chars = CharacterIterator(text, batch_size=2, sequence_length=5, examples_per_epoch=6, seed=3)
    first = [ds.features.copy() for ds in chars]
    chars.reset()
    assert num_batches(chars) == 3 and len(sequence_lengths(chars)) == 6
    peek = nth_batch(chars, 1).features
    np.testing.assert_array_equal(peek, first[1])
    assert fresh_pass(chars) is not chars
    np.testing.assert_array_equal(next(iter(chars)).features, first[0])     # its own order is untouched


def test_as_sequences_gives_one_step_to_feed_forward_data():
    x, y, fm, lm = as_sequences(DataSet(np.ones((2, 3)), np.ones((2, 1))))
    assert x.shape == (2, 3, 1) and y.shape == (2, 1, 1) and fm is None and lm is None
    x, y, fm, lm = as_sequences(padded())
    assert fm.dtype == np.float32 and fm.shape == (3, 5) and lm is None
