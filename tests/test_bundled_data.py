"""The bundled real data sets: files as documented in their READMEs, and the loaders' arrays."""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from workbench.data.datasets import (
    JAPANESE_VOWELS_CLASSES, airline, airline_series, japanese_vowels, tiny_shakespeare, tiny_shakespeare_text,
)

RESOURCES = resources.files("workbench.data").joinpath("resources")
REPO = Path(__file__).resolve().parents[1]

BUNDLED = [  # (folder, file, bytes)
    ("japanese_vowels", "JapaneseVowels_TRAIN.ts", 487971),
    ("japanese_vowels", "JapaneseVowels_TEST.ts", 649132),
    ("airline", "Airline.csv", 1744),
    ("tiny_shakespeare", "input.txt", 1115394),
    ("uci_synthetic_control", "synthetic_control.data", 288374),
]

# README facts (japanese_vowels/README.md)
JV_TEST_CLASS_COUNTS = [31, 35, 88, 44, 29, 24, 40, 50, 29]
JV_TRAIN_LENGTHS = {7: 1, 9: 2, 10: 10, 11: 18, 12: 22, 13: 21, 14: 22, 15: 41, 16: 28, 17: 27, 18: 22,
                    19: 13, 20: 8, 21: 14, 22: 5, 23: 11, 24: 2, 25: 2, 26: 1}
JV_TEST_LENGTHS = {7: 1, 9: 8, 10: 15, 11: 26, 12: 31, 13: 43, 14: 45, 15: 38, 16: 38, 17: 35, 18: 25,
                   19: 11, 20: 16, 21: 14, 22: 8, 23: 5, 24: 6, 25: 3, 26: 1, 29: 1}


@pytest.fixture(scope="module")
def jv():
    return japanese_vowels()


def lengths(ds):
    return ds.features_mask.sum(axis=1).astype(int)


def classes(ds):
    """Class index per example, read at each example's labelled step."""
    last = ds.labels_mask.argmax(axis=1)
    return ds.labels[np.arange(ds.num_examples()), :, last].argmax(axis=1)


# ---------------------------------------------------------------- files and provenance

@pytest.mark.parametrize("folder,name,size", BUNDLED)
def test_bundled_file_matches_its_readme(folder, name, size):
    data = RESOURCES.joinpath(folder, name).read_bytes()
    readme = RESOURCES.joinpath(folder, "README.md").read_text(encoding="utf-8")
    assert len(data) == size
    digest = hashlib.sha256(data).hexdigest()
    assert re.search(rf"`{re.escape(name)}` \| {size} \| `{digest}`", readme), f"sha256 of {name} not in README"
    assert re.search(r"(?i)licen[cs]e", readme) and "Source" in readme


def test_package_data_glob_covers_every_bundled_file():
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"workbench.data" = ["resources/*/*"]' in pyproject
    root = REPO / "workbench" / "data" / "resources"
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert len(path.relative_to(root).parts) == 2, f"{path} is not matched by resources/*/*"


def test_import_reads_no_file_until_a_loader_is_called():
    code = r"""
import sys
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)) and "workbench/data/resources/" in str(args[0]).replace("\\\\", "/"):
        opened.append(str(args[0]))
sys.addaudithook(hook)
import workbench.data.datasets as d
import workbench.data.text, workbench.data.export
print("after import:", len(opened))
d.airline()
print("after airline:", len(opened), opened[-1].endswith("Airline.csv"))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, check=True).stdout
    assert "after import: 0" in out
    assert "after airline: 1 True" in out


def test_loaders_work_from_an_installed_wheel(tmp_path):
    """Build the wheel from a copy of the sources, unpack it elsewhere and load every data set."""
    pytest.importorskip("setuptools")
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "workbench", src / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "dist"), str(src)], capture_output=True, text=True)
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {build.stderr[-300:]}")
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    code = ("import workbench.data.datasets as d; tr, te = d.japanese_vowels(); "
            "print(d.__file__); print(tr.num_examples(), te.num_examples(), d.airline().features.shape, "
            "len(d.tiny_shakespeare_text()), d.uci_synthetic_control()[0].num_examples())")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(site)}, check=True)
    where, result = run.stdout.splitlines()
    assert where.startswith(str(site))
    assert result == "270 370 (1, 1, 143) 1115394 450"


# ---------------------------------------------------------------- JapaneseVowels

def test_japanese_vowels_shapes_and_dtypes(jv):
    train, test = jv
    for ds, n, t_max in ((train, 270, 26), (test, 370, 29)):
        assert ds.features.shape == (n, 12, t_max)
        assert ds.labels.shape == (n, 9, t_max)
        assert ds.features_mask.shape == ds.labels_mask.shape == (n, t_max)
        for a in (ds.features, ds.labels, ds.features_mask, ds.labels_mask):
            assert a.dtype == np.float32
    assert JAPANESE_VOWELS_CLASSES == tuple(f"speaker {k}" for k in range(1, 10))


def test_japanese_vowels_class_counts_and_file_order(jv):
    train, test = jv
    assert np.bincount(classes(train), minlength=9).tolist() == [30] * 9
    assert np.bincount(classes(test), minlength=9).tolist() == JV_TEST_CLASS_COUNTS
    for ds in jv:  # stored grouped in class order, and the loader keeps the file order
        assert np.all(np.diff(classes(ds)) >= 0)


def test_japanese_vowels_length_histograms(jv):
    train, test = jv
    for ds, expected in ((train, JV_TRAIN_LENGTHS), (test, JV_TEST_LENGTHS)):
        hist = dict(sorted(Counter(lengths(ds).tolist()).items()))
        assert hist == expected
        first, last = list(hist.items())[0], list(hist.items())[-1]
        assert first == (7, 1) and last == ((26, 1) if ds is train else (29, 1))


def test_japanese_vowels_masks_padding_and_labels(jv):
    for ds in jv:
        n, _, t_max = ds.features.shape
        L = lengths(ds)
        steps = np.arange(t_max)
        np.testing.assert_array_equal(ds.features_mask, (steps[None] < L[:, None]).astype(np.float32))
        assert np.all(ds.features[ds.features_mask[:, None, :].repeat(12, 1) == 0] == 0)  # zero padding after the end
        assert np.all(np.abs(ds.features[np.arange(n), :, L - 1]).sum(axis=1) > 0)  # real values up to the end
        expected_lmask = np.zeros((n, t_max), np.float32)
        expected_lmask[np.arange(n), L - 1] = 1
        np.testing.assert_array_equal(ds.labels_mask, expected_lmask)
        # one-hot at the last real step, zeros everywhere else
        np.testing.assert_array_equal(ds.labels.sum(axis=1), expected_lmask)
        assert set(np.unique(ds.labels).tolist()) == {0.0, 1.0}


def test_japanese_vowels_values_match_the_file(jv):
    train, test = jv
    # first case of TRAIN: channel 0 starts 1.860936,1.891651 and has 20 frames; channel 11 starts 0.088728
    assert lengths(train)[0] == 20
    np.testing.assert_array_equal(train.features[0, 0, :2], np.float32([1.860936, 1.891651]))
    assert train.features[0, 11, 0] == np.float32(0.088728)
    real_train = train.features.transpose(0, 2, 1)[train.features_mask == 1]
    real_test = test.features.transpose(0, 2, 1)[test.features_mask == 1]
    assert real_train.min() == pytest.approx(-1.8528, abs=1e-4) and real_train.max() == pytest.approx(2.2031, abs=1e-4)
    assert real_test.min() == pytest.approx(-1.6925, abs=1e-4) and real_test.max() == pytest.approx(1.9826, abs=1e-4)


# ---------------------------------------------------------------- airline

def test_airline_series_matches_the_readme():
    months, values = airline_series()
    assert len(months) == len(values) == 144
    assert months[0] == "1949-01" and months[12] == "1950-01" and months[-1] == "1960-12"
    assert values.dtype == np.float32
    assert values[0] == 112 and values[-1] == 432
    assert values.min() == 104 and values.max() == 622
    assert values.sum(dtype=np.float64) == 40363
    assert np.all(values == np.round(values))


def test_airline_dataset_is_one_step_ahead():
    ds = airline()
    _, values = airline_series()
    assert ds.features.shape == ds.labels.shape == (1, 1, 143)
    assert ds.features.dtype == ds.labels.dtype == np.float32
    assert ds.features_mask is None and ds.labels_mask is None
    np.testing.assert_array_equal(ds.features[0, 0], values[:-1])
    np.testing.assert_array_equal(ds.labels[0, 0], values[1:])
    np.testing.assert_array_equal(ds.features[0, 0, 1:], ds.labels[0, 0, :-1])


# ---------------------------------------------------------------- tiny Shakespeare

def test_tiny_shakespeare_text_matches_the_readme():
    text = tiny_shakespeare_text()
    assert isinstance(text, str) and len(text) == 1_115_394
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.")
    assert text.endswith("\n") and text.count("\n") == 40_000 and len(text.split()) == 202_651
    chars = sorted(set(text))
    assert len(chars) == 65
    expected = sorted("\n !$&',-.3:;?" + "".join(map(chr, range(65, 91))) + "".join(map(chr, range(97, 123))))
    assert chars == expected


def test_tiny_shakespeare_iterator():
    it = tiny_shakespeare(batch_size=8, sequence_length=50, seed=3, examples_per_epoch=16)
    assert it.vocab == sorted(set(tiny_shakespeare_text())) and it.vocab_size == 65
    batches = list(it)
    assert len(batches) == len(it) == 2
    ds = batches[0]
    assert ds.features.shape == ds.labels.shape == (8, 65, 50)
    assert ds.features_mask is None and ds.labels_mask is None
    assert tiny_shakespeare().examples_per_epoch == (1_115_393 // 100) // 32 * 32  # 11136 = 348 minibatches


def test_airline_changes_are_standardised_log_changes_with_a_masked_test_tail():
    from workbench.data.datasets import airline_changes
    train, test, norm = airline_changes(test_months=24)
    assert train.features.shape == (1, 1, 118) and test.features.shape == (1, 1, 142)
    assert test.labels_mask.sum() == 24 and test.labels_mask[0, -24:].all()
    np.testing.assert_allclose(train.labels.mean(), 0, atol=1e-6)
    _, passengers = airline_series()
    want = np.diff(np.log(passengers.astype(np.float64)))[1:]
    np.testing.assert_allclose(norm.revert_labels(test.labels)[0, 0], want, rtol=1e-5, atol=1e-6)
