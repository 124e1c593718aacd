"""Training listeners: callables ``listener(iteration, epoch, score, info)`` called after each update."""
from __future__ import annotations

import sys
import time


class ScoreIterationListener:
    """Print the score every ``print_every`` updates (DL4J's ScoreIterationListener)."""

    def __init__(self, print_every: int = 10, file=None):
        self.print_every, self.file = print_every, file

    def __call__(self, iteration, epoch, score, info):
        if iteration % self.print_every == 0:
            print(f"iteration {iteration} (epoch {epoch}, batch {info['batch']}, segment {info['segment']}): "
                  f"score {score:.5f}", file=self.file or sys.stdout)


class ProgressBar:
    """A one-line text progress bar over ``total`` updates, with the latest score and rate.

    Redrawn at most every ``interval`` seconds (in place on a terminal, one line each otherwise).
    """

    def __init__(self, total: int, width: int = 30, file=None, interval: float = 0.2):
        self.total, self.width, self.file, self.interval = total, width, file, interval
        self.done, self.start, self.last = 0, time.perf_counter(), float("-inf")

    def __call__(self, iteration, epoch, score, info):
        self.done += 1
        now = time.perf_counter()
        if now - self.last < self.interval and self.done < self.total:
            return
        self.last = now
        out = self.file or sys.stdout
        tty = getattr(out, "isatty", lambda: False)()
        if not tty and self.done < self.total:
            self.last = now + 10 * self.interval          # a log file gets a line every ~2 s
        frac = min(1.0, self.done / self.total)
        filled = int(frac * self.width)
        rate = self.done / max(now - self.start, 1e-9)
        end = "\n" if self.done >= self.total or not tty else ""
        print(f"{chr(13) if tty else ''}[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
              f"epoch {epoch + 1} score {score:.4f} ({rate:.0f} updates/s)", end=end, flush=True, file=out)
