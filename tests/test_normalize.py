"""NormalizerStandardize: masked statistics, transforms, label reverting, iterators, JSON."""
import numpy as np
import pytest

from workbench.data import DataSet, ListDataSetIterator
from workbench.data.normalize import NormalizerStandardize


def padded(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, size=(4, 3, 6)).astype(np.float32)
    y = rng.normal(-5.0, 4.0, size=(4, 2, 6)).astype(np.float32)
    mask = np.ones((4, 6), np.float32)
    mask[0, 4:] = 0
    mask[1, :2] = 0
    x[mask[:, None, :].repeat(3, 1) == 0] = 1e6           # junk in the padding must not count
    return DataSet(x, y, mask, mask)


def real_rows(a, mask):
    return a.transpose(0, 2, 1)[mask > 0].astype(np.float64)


def test_statistics_leave_out_masked_steps_and_padding_stays_zero():
    ds = padded()
    norm = NormalizerStandardize().fit(ds)
    rows = real_rows(ds.features, ds.features_mask)
    np.testing.assert_allclose(norm.feature_mean, rows.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(norm.feature_std, rows.std(axis=0), rtol=1e-12)
    out = norm.transform(ds)
    assert out.features.dtype == np.float32 and out.labels is ds.labels
    z = real_rows(out.features, ds.features_mask)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-5)
    assert np.all(out.features[ds.features_mask[:, None, :].repeat(3, 1) == 0] == 0)


def test_fitting_on_minibatches_equals_fitting_on_all():
    ds = padded(1)
    whole = NormalizerStandardize(fit_labels=True).fit(ds)
    parts = NormalizerStandardize(fit_labels=True).fit(ListDataSetIterator(ds, 3))
    for name in ("feature_mean", "feature_std", "label_mean", "label_std"):
        np.testing.assert_allclose(getattr(parts, name), getattr(whole, name), rtol=1e-10)


def test_labels_standardised_and_reverted():
    ds = padded(2)
    norm = NormalizerStandardize(fit_labels=True).fit(ds)
    out = norm.transform(ds)
    np.testing.assert_allclose(real_rows(out.labels, ds.labels_mask).mean(axis=0), 0, atol=1e-6)
    back = norm.revert_labels(out.labels)
    keep = ds.labels_mask[:, None, :].repeat(2, 1) > 0
    np.testing.assert_allclose(back[keep], ds.labels[keep], rtol=1e-5, atol=1e-5)


def test_wrapped_iterator_and_json_round_trip():
    ds = padded(3)
    norm = NormalizerStandardize().fit(ds)
    wrapped = norm.wrap(ListDataSetIterator(ds, 2))
    assert wrapped.batch_size == 2 and len(wrapped) == 2
    np.testing.assert_array_equal(np.concatenate([b.features for b in wrapped]), norm.transform(ds).features)
    again = NormalizerStandardize.from_json(norm.to_json())
    np.testing.assert_array_equal(again.transform(ds).features, norm.transform(ds).features)


def test_errors():
    with pytest.raises(RuntimeError, match="call fit"):
        NormalizerStandardize().transform(padded())
    norm = NormalizerStandardize().fit(padded())
    with pytest.raises(ValueError, match="fitted on 3 features"):
        norm.transform(DataSet(np.zeros((2, 4, 5)), np.zeros((2, 1, 5))))
    empty = DataSet(np.zeros((1, 3, 2)), np.zeros((1, 1, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="no unmasked step"):
        NormalizerStandardize().fit(empty)
