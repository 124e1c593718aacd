"""Property: any padded, masked DataSet written by to_csv_sequences reads back identical."""
import numpy as np
from hypothesis import given, settings, strategies as st

from workbench.data import (AlignmentMode, CSVSequenceRecordReader, DataSet, NumberedFileInputSplit,
                            SequenceRecordReaderDataSetIterator, to_csv_sequences)


@settings(max_examples=20, deadline=None)
@given(lengths=st.lists(st.integers(1, 6), min_size=1, max_size=5), n_in=st.integers(1, 3),
       regression=st.booleans(), seed=st.integers(0, 1000), mode=st.sampled_from(["ALIGN_START", "ALIGN_END"]))
def test_to_csv_sequences_round_trip(tmp_path_factory, lengths, n_in, regression, seed, mode):
    rng = np.random.default_rng(seed)
    n_out = 2 if regression else 4
    parts = []
    for L in lengths:                                          # many-to-many: one label per step
        x = rng.normal(size=(1, n_in, L)).astype(np.float32)
        y = (rng.normal(size=(1, n_out, L)) if regression else
             np.eye(n_out)[rng.integers(0, n_out, L)].T[None]).astype(np.float32)
        parts.append(DataSet(x, y))
    original = DataSet.merge(parts)
    folder = tmp_path_factory.mktemp("csv")
    files = to_csv_sequences(original, folder, label_format="values" if regression else "index")
    readers = [CSVSequenceRecordReader(skip_num_lines=1).initialize(NumberedFileInputSplit(p, 0, files.max_idx))
               for p in (files.features_pattern, files.labels_pattern)]
    it = SequenceRecordReaderDataSetIterator(*readers, batch_size=len(lengths), num_possible_labels=n_out,
                                             regression=regression, alignment_mode=AlignmentMode[mode])
    (back,) = list(it)
    np.testing.assert_array_equal(back.features, original.features)
    np.testing.assert_array_equal(back.labels, original.labels)
    for got, want in ((back.features_mask, original.features_mask), (back.labels_mask, original.labels_mask)):
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_array_equal(got, want)
