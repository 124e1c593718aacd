#!/usr/bin/env python3
"""Reading sequence files: CSVSequenceRecordReader and SequenceRecordReaderDataSetIterator.

Writes ``--n`` (10,000) feature files of ``--steps`` x ``--cols`` (50 x 5) random values and as many
one-row label files (a class index: many-to-one) into a temporary folder, then times, best of
``--repeats`` passes (files are in the page cache after the first):

* ``open+read``: only reading every file's text (the I/O floor);
* ``reader``: ``CSVSequenceRecordReader.read`` of every file (features and labels);
* ``iterator``: one full pass of ``SequenceRecordReaderDataSetIterator`` (batch 64, ALIGN_END,
  classification), i.e. reading, parsing, checking, one-hot, alignment and masks.

    python benchmarks/bench_data.py [--n 10000] [--repeats 3] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench.data.records import CSVSequenceRecordReader, NumberedFileInputSplit  # noqa: E402
from workbench.data.sequence_iterator import AlignmentMode, SequenceRecordReaderDataSetIterator  # noqa: E402


def write_files(folder: Path, n, steps, cols, classes, seed=0):
    rng = np.random.default_rng(seed)
    for i in range(n):
        x = rng.random((steps, cols))
        (folder / f"input_{i}.csv").write_text("\n".join(",".join(f"{v:.6f}" for v in row) for row in x) + "\n")
        (folder / f"label_{i}.csv").write_text(f"{rng.integers(classes)}\n")


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="sequences (feature files; as many label files)")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--cols", type=int, default=5)
    ap.add_argument("--classes", type=int, default=6)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args(argv)
    n = args.n
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.processor() or platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="bench_data_") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_files(folder, n, args.steps, args.cols, args.classes)
        t_write = time.perf_counter() - t0
        features = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(folder / "input_%d.csv"), 0, n - 1))
        labels = CSVSequenceRecordReader().initialize(NumberedFileInputSplit(str(folder / "label_%d.csv"), 0, n - 1))
        it = SequenceRecordReaderDataSetIterator(features, labels, batch_size=args.batch,
                                                 num_possible_labels=args.classes,
                                                 alignment_mode=AlignmentMode.ALIGN_END)
        paths = features.paths + labels.paths

        def raw():
            for p in paths:
                with open(p) as f:
                    f.read()

        def reader():
            for r in (features, labels):
                for i in range(n):
                    r.read(i)

        def iterate():
            seen = 0
            for ds in it:
                seen += ds.num_examples()
            assert seen == n, seen

        rows = [("write", 2 * n, t_write)]
        for name, fn in (("open+read", raw), ("reader", reader), ("iterator", iterate)):
            rows.append((name, 2 * n, best_of(args.repeats, fn)))
        last = list(it)[-1]
        print(f"last minibatch: {last}")

    print(f"\n{n} sequences of {args.steps} x {args.cols} + {n} one-row label files; "
          f"batch {args.batch}, ALIGN_END, classification; best of {args.repeats}\n")
    head = f"{'stage':<10} {'files':>7} {'seconds':>8} {'files/s':>9} {'sequences/s':>12} {'us/sequence':>12}"
    print(head)
    print("-" * len(head))
    results = []
    for name, files, secs in rows:
        print(f"{name:<10} {files:>7} {secs:>8.3f} {files / secs:>9.0f} {n / secs:>12.0f} {1e6 * secs / n:>12.1f}")
        results.append({"stage": name, "files": files, "seconds": secs, "files_per_s": files / secs,
                        "sequences_per_s": n / secs})
    if args.json:
        args.json.write_text(json.dumps({"n": n, "steps": args.steps, "cols": args.cols, "batch": args.batch,
                                         "numpy": np.__version__, "results": results}, indent=2))


if __name__ == "__main__":
    main()
