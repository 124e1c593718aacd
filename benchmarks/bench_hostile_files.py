"""Peak memory of loading crafted model files (inflation bombs, huge declared layers, lying .npy
headers), each in a fresh interpreter, with no address-space limit.

    python benchmarks/bench_hostile_files.py                         # this checkout
    python benchmarks/bench_hostile_files.py --python OLD_VENV/bin/python   # another install, e.g. before a fix
    python benchmarks/bench_hostile_files.py --size-mib 2048 --json out.json

Prints one row per file: the outcome (refused with which error, or loaded), the peak resident
memory above the child's baseline after imports, and the file's size on disk.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "bad_input"))
from crafted import CRAFTED, load_in_child  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mib", type=int, default=1024, help="bytes a bomb member inflates to, in MiB")
    ap.add_argument("--python", default=None, help="load with this interpreter (and its workbench package)")
    ap.add_argument("--only", default=None, help="comma-separated names (default: all)")
    ap.add_argument("--json", default=None, help="write the rows here")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(CRAFTED)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        print(f"{'file':36} {'on disk':>9} {'peak above baseline':>20}  outcome")
        for name in names:
            path = CRAFTED[name](Path(d) / f"{len(rows)}.zip", args.size_mib * 2**20)
            r = load_in_child(path, python=args.python, timeout=900)
            r.update(name=name, disk_kb=round(path.stat().st_size / 1024))
            rows.append(r)
            peak = "-" if r["peak_above_baseline_mb"] is None else f"{r['peak_above_baseline_mb']:,.0f} MB"
            what = r["outcome"] + (f" ({r['type']}: {r['message'][:70]})" if r["outcome"] != "loaded" else "")
            print(f"{name:36} {r['disk_kb']:>6} kB {peak:>20}  {what}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
