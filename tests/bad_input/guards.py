"""Guards for the bad-input tests: a time limit that a hang cannot swallow."""
import contextlib
import signal


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


def outcome(tally, check, clean: tuple, seconds: float = 10):
    """Run ``check()`` under :func:`time_limit` and count how it ended in ``tally`` (a Counter):
    "ok", "clean_error" (one of the ``clean`` exception types, returned), or "hang" / "unclean"
    (re-raised, so the test fails)."""
    try:
        with time_limit(seconds):
            check()
    except clean as exc:
        tally["clean_error"] += 1
        return exc
    except Hang:
        tally["hang"] += 1
        raise
    except BaseException:
        tally["unclean"] += 1
        raise
    tally["ok"] += 1
    return None
