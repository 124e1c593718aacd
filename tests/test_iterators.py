"""DataSet.merge and ListDataSetIterator."""
import numpy as np
import pytest

from workbench.data import DataSet, DataSetIterator, ListDataSetIterator


def seq(n, T, value, labels_mask=None):
    return DataSet(np.full((n, 2, T), value, np.float32), np.full((n, 3, T), value, np.float32),
                   labels_mask=labels_mask)


def test_merge_pads_at_the_end_and_masks_the_real_steps():
    lm = np.zeros((1, 6), np.float32)
    lm[0, 5] = 1
    merged = DataSet.merge([seq(2, 4, 1.0), seq(1, 6, 2.0, labels_mask=lm)])
    assert merged.features.shape == (3, 2, 6) and merged.labels.shape == (3, 3, 6)
    np.testing.assert_array_equal(merged.features_mask, [[1, 1, 1, 1, 0, 0]] * 2 + [[1] * 6])
    np.testing.assert_array_equal(merged.labels_mask, [[1, 1, 1, 1, 0, 0]] * 2 + [[0, 0, 0, 0, 0, 1]])
    assert np.all(merged.features[:2, :, 4:] == 0) and np.all(merged.features[:2, :, :4] == 1)
    assert np.all(merged.features[2] == 2)


def test_merge_of_equal_lengths_needs_no_mask_and_keeps_order():
    merged = DataSet.merge([seq(1, 5, k) for k in range(4)])
    assert merged.features_mask is None and merged.labels_mask is None
    np.testing.assert_array_equal(merged.features[:, 0, 0], [0, 1, 2, 3])


def test_merge_rejects_mismatched_widths():
    with pytest.raises(ValueError, match="same rank and width"):
        DataSet.merge([seq(1, 4, 0), DataSet(np.zeros((1, 3, 4)), np.zeros((1, 3, 4)))])
    with pytest.raises(ValueError, match="non-empty list of DataSets"):
        DataSet.merge([])


def test_list_iterator_batches_a_dataset_with_a_smaller_last_batch():
    ds = DataSet(np.arange(7.0)[:, None, None] * np.ones((7, 2, 3)), np.zeros((7, 1, 3)))
    it = ListDataSetIterator(ds, 3)
    assert isinstance(it, DataSetIterator) and it.batch_size == 3 and len(it) == 3
    sizes = [b.num_examples() for b in it]
    assert sizes == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([b.features[:, 0, 0] for b in it]), np.arange(7.0))
    assert [b.num_examples() for b in it] == sizes            # a second pass gives the same batches


def test_list_iterator_merges_single_examples_of_different_lengths():
    it = ListDataSetIterator([seq(1, T, T) for T in (3, 5, 4, 2)], 2)
    first, second = list(it)
    assert first.features.shape == (2, 2, 5) and second.features.shape == (2, 2, 4)
    np.testing.assert_array_equal(first.features_mask, [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        ListDataSetIterator(it, 0)
