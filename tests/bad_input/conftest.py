"""Helpers for the bad-input catalogue and the fuzz tests.

Fuzz tests are marked ``fuzz`` and run with hypothesis's profile: ``ci`` by default (a few
seconds), ``long`` on request (``make fuzz``: ``pytest -m fuzz --hypothesis-profile=long``).
Each fuzz case records its outcome in ``fuzz_tally`` (kind -> {"ok", "clean_error", "unclean",
"hang"} counts); the counts are written to ``tests/artifacts/fuzz_counts.json`` at the end.
"""
import collections
import contextlib
import json
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=120, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile("ci")

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


class Hang(BaseException):
    """Raised by :func:`time_limit` when the code under test runs too long (a BaseException, so
    an ``except Exception`` in that code cannot swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`Hang` in the main thread if the block runs longer than ``seconds``."""
    def on_alarm(signum, frame):
        raise Hang(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
