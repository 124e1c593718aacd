"""Backends: selection, fallbacks, conversion, and the rule that only backend/ imports NumPy/CuPy."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import workbench
from workbench.backend import BackendUnavailableError, available_backends, get_backend, to_numpy

PACKAGE = Path(workbench.__file__).resolve().parent
ALLOWED = ("backend", "data", "ui")          # top-level subpackages that may import numpy/cupy
ARRAY_MODULES = ("numpy", "cupy", "cupyx")


def gpu_usable() -> bool:
    return "cupy" in available_backends()


def test_numpy_backend():
    be = get_backend("numpy")
    assert be.xp is numpy and be.name == "numpy"
    assert get_backend(be) is be


def test_auto_falls_back_to_numpy_without_a_gpu():
    if gpu_usable():
        pytest.skip("a GPU is usable here: 'auto' rightly picks CuPy")
    assert get_backend("auto").xp is numpy
    assert get_backend().xp is numpy


def test_cupy_unavailable_says_why():
    if gpu_usable():
        pytest.skip("a GPU is usable here")
    with pytest.raises(BackendUnavailableError, match=r"cupy.*unavailable: \S+") as exc:
        get_backend("cupy")
    assert any(word in str(exc.value) for word in ("not installed", "no CUDA device", "0 CUDA devices"))
    assert isinstance(exc.value, RuntimeError)
    assert workbench.BackendUnavailableError is BackendUnavailableError


def test_available_backends_lists_numpy_first():
    names = available_backends()
    assert names[0] == "numpy"
    assert set(names) <= {"numpy", "cupy"} and len(names) == len(set(names))


def test_to_numpy():
    a = numpy.arange(6.0).reshape(2, 3)
    out = to_numpy(a)
    assert isinstance(out, numpy.ndarray)
    numpy.testing.assert_array_equal(out, a)
    lst = to_numpy([[1, 2], [3, 4]])
    assert isinstance(lst, numpy.ndarray) and lst.shape == (2, 2) and lst.tolist() == [[1, 2], [3, 4]]
    assert to_numpy(2.5).shape == ()


@pytest.mark.parametrize("name", ["bogus", "gpu", "NumPy", "", None])
def test_invalid_name_lists_the_choices(name):
    with pytest.raises(ValueError, match=r"'numpy'.*'cupy'.*'auto'") as exc:
        get_backend(name)
    assert repr(name) in str(exc.value)


# ---------------------------------------------------------------- the import rule
def array_imports(source: str, filename="<string>") -> list:
    """(line, module) of every import of numpy/cupy/cupyx (at any depth of the code)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] in ARRAY_MODULES]
    return found


def scan_package(root: Path) -> list:
    bad = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if len(rel.parts) > 1 and rel.parts[0] in ALLOWED:
            continue
        bad += [f"{rel}:{line} imports {mod}" for line, mod in array_imports(path.read_text(), str(path))]
    return bad


def test_scanner_finds_every_form_of_import():
    src = """
import os
import numpy
import numpy as np
import numpy.linalg
import os, cupy
from numpy import zeros
from cupyx.scipy import sparse
from numpy.random import default_rng
def f():
    import cupy as cp
class C:
    if True:
        from numpy import ndarray
from workbench.backend import to_numpy
from . import numpy_helpers
from .numpy import x
import numpyish
"""
    mods = [m for _, m in array_imports(src)]
    assert mods == ["numpy", "numpy", "numpy.linalg", "cupy", "numpy", "cupyx.scipy", "numpy.random",
                    "cupy", "numpy"]


def test_scanner_catches_numpy_added_to_network(tmp_path):
    source = (PACKAGE / "nn" / "network.py").read_text()
    assert array_imports(source) == []
    assert array_imports("import numpy\n" + source) == [(1, "numpy")]
    # the same through the whole-package scan, on a copy of the package
    copy = tmp_path / "workbench"
    for path in PACKAGE.rglob("*.py"):
        dest = copy / path.relative_to(PACKAGE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(path.read_text())
    assert scan_package(copy) == []
    (copy / "nn" / "network.py").write_text(source.replace("import math\n", "import math\nimport numpy as np\n", 1))
    assert [b.split(":")[0] for b in scan_package(copy)] == [str(Path("nn") / "network.py")]


def test_only_backend_data_and_ui_import_numpy_or_cupy():
    assert scan_package(PACKAGE) == []
    # the scan really covers the engine
    scanned = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in ALLOWED]
    assert any(p.name == "network.py" for p in scanned) and any(p.name == "lstm_cell.py" for p in scanned)


def test_import_workbench_needs_no_cupy_panel_or_torch():
    code = ("import sys, workbench, workbench.nn, workbench.conf, workbench.io, workbench.data\n"
            "print(','.join(m for m in ('cupy', 'cupyx', 'panel', 'bokeh', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=PACKAGE.parent, env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
