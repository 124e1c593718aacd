"""The fuzz tally for the bad-input tests (``guards.time_limit`` stops a hang).

Fuzz tests are marked ``fuzz`` and run with the hypothesis profile of ``tests/conftest.py``:
``ci`` by default (a few seconds), ``long`` on request (``make fuzz``). Each fuzz case records its outcome in ``fuzz_tally`` (kind -> {"ok", "clean_error", "unclean",
"hang"} counts); the counts are written to ``tests/artifacts/fuzz_counts.json`` at the end.
"""
import collections
import json
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
_TALLY = collections.defaultdict(collections.Counter)


@pytest.fixture(scope="session")
def fuzz_tally():
    """``fuzz_tally[kind][outcome] += 1``; written to tests/artifacts/fuzz_counts.json at the end."""
    yield _TALLY
    if _TALLY:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "fuzz_counts.json").write_text(json.dumps(_TALLY, indent=2, sort_keys=True))


def pytest_terminal_summary(terminalreporter):
    for kind, counts in sorted(_TALLY.items()):
        terminalreporter.write_line(f"fuzz {kind}: {sum(counts.values())} cases, " +
                                    ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
