#!/usr/bin/env python3
"""How fast the app shows up and keeps up, measured in headless Chromium.

1. Time to first paint: cold, from starting ``panel serve apps/workbench.py`` (what ``make run``
   does once the venv exists) to the Build view being visible in the browser; warm, a new page
   of the running server.
2. Live training: the UCI task trained from the page (on the server's Dask worker, its run in a
   temporary run store); how often the loss chart changes per second (seen from the browser),
   and training speed (updates/s) from the page against the same training without any page
   (BackgroundTrainer alone, one BLAS thread) in the same machine state.
3. While it trains: tab-switch latency (click -> the tab's content visible), click latency
   (Pause -> "paused" in the status line, Resume -> "running"), and stop latency (Stop ->
   "stopped"), each from the click to what the browser shows.

    python benchmarks/bench_ui.py [--seconds 8]
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")         # as `make run` serves the app (and for the baseline)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOSS_POINTS = """els => Math.max(0, ...els.map(e => {
    const t = (e.layout && e.layout.title && e.layout.title.text) || '';
    return t.includes('Loss') && e.data && e.data[0] && e.data[0].x ? e.data[0].x.length : 0; }))"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pattern):
    """User + system CPU seconds of the processes whose command line contains ``pattern``."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
            if pattern in cmd:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def latency(page, click, ready) -> float:
    """Seconds from ``click()`` to the locator ``ready()`` being visible in the browser."""
    t0 = time.perf_counter()
    click()
    ready().wait_for(state="visible", timeout=30_000)
    return time.perf_counter() - t0


def updates_per_second_without_page(seconds):
    from workbench.ui.session import WorkbenchSession
    session = WorkbenchSession("UCI synthetic control")
    trainer = session.start_training(epochs=10_000)
    time.sleep(1.0)                                           # warm-up
    n0, t0 = len(trainer.history), time.perf_counter()
    time.sleep(seconds)
    rate = (len(trainer.history) - n0) / (time.perf_counter() - t0)
    session.close()
    return rate


def updates(text: str) -> int:
    """The update count of the Train tab's status line ("running · update 708 / 150,000 · ...")."""
    return int(text.split("update ")[1].split(" /")[0].replace(",", ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    port = free_port()
    t_start = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "panel", "serve", str(ROOT / "apps" / "workbench.py"),
                               "--port", str(port), "--address", "127.0.0.1"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": str(ROOT),
                                   "WORKBENCH_RUNS": str(Path(tempfile.mkdtemp()) / "runs.sqlite")})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            page = browser.new_page()
            while True:                                       # the server is up when its port answers
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.perf_counter() - t_start > 60:
                        raise
                    time.sleep(0.05)
            page.goto(f"http://127.0.0.1:{port}/workbench", timeout=60_000)
            page.get_by_role("button", name="Add layer").wait_for(timeout=60_000)
            first_paint = time.perf_counter() - t_start
            warm_page, t0 = browser.new_page(), time.perf_counter()
            warm_page.goto(f"http://127.0.0.1:{port}/workbench", timeout=60_000)
            warm_page.get_by_role("button", name="Add layer").wait_for(timeout=60_000)
            warm_paint = time.perf_counter() - t0
            warm_page.close()

            page.locator(".bk-tab", has_text="Train").first.click()
            page.get_by_label("Epochs").fill("10000")
            page.get_by_label("Epochs").press("Enter")
            page.get_by_role("button", name="Start").click()
            end = time.perf_counter() + 60                    # warm-up: the run is on a worker and has trained
            while updates(page.get_by_text("updates/s").first.inner_text()) < 100 and time.perf_counter() < end:
                time.sleep(0.1)
            time.sleep(1.0)
            plots = page.locator(".js-plotly-plot")
            changes, last, t0 = 0, plots.evaluate_all(LOSS_POINTS), time.perf_counter()
            cpu0 = {name: cpu_seconds(name) for name in ("chromium", "panel serve")}
            status0 = page.get_by_text("updates/s").first.inner_text()
            while time.perf_counter() - t0 < args.seconds:
                n = plots.evaluate_all(LOSS_POINTS)
                if n != last:
                    changes, last = changes + 1, n
                time.sleep(0.02)
            elapsed = time.perf_counter() - t0
            cpu = {name: (cpu_seconds(name) - c) / elapsed for name, c in cpu0.items()}
            status = page.get_by_text("updates/s").first.inner_text()
            points = last
            tab_switch = [latency(page, lambda: page.locator(".bk-tab", has_text=name).first.click(), ready)
                          for _ in range(3) for name, ready in (
                              ("Data", lambda: page.get_by_text("Upload CSV sequences").first),
                              ("Build", lambda: page.get_by_role("button", name="Add layer")),
                              ("Train", lambda: page.get_by_role("button", name="Stop")))]
            clicks = []
            for _ in range(3):
                clicks.append(latency(page, lambda: page.get_by_role("button", name="Pause").click(),
                                      lambda: page.get_by_text("paused", exact=True).first))
                clicks.append(latency(page, lambda: page.get_by_role("button", name="Resume").click(),
                                      lambda: page.get_by_text("running", exact=True).first))
            stop = latency(page, lambda: page.get_by_role("button", name="Stop").click(),
                           lambda: page.get_by_text("stopped", exact=True).first)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    in_page = (updates(status) - updates(status0)) / elapsed  # steady state, between the two reads
    alone = updates_per_second_without_page(args.seconds)
    print(f"first paint after starting panel serve: {first_paint:.2f} s cold, {warm_paint:.2f} s warm (new page)")
    print(f"loss chart changes seen in the browser: {changes / elapsed:.1f} per second "
          f"({points} points drawn after {elapsed:.0f} s)")
    print(f"training speed, UCI task: {in_page:.1f} updates/s in the page (steady state), "
          f"{alone:.1f} updates/s with no page: {100 * (1 - in_page / alone):+.0f}% slower in the page")
    print(f"CPU cores busy while training from the page: browser {cpu['chromium']:.2f}, "
          f"web server {cpu['panel serve']:.2f} of 2 (the training is in a worker process)")
    print(f"while training: tab switch {1000 * np.median(tab_switch):.0f} ms median "
          f"(max {1000 * max(tab_switch):.0f}), Pause/Resume click to status {1000 * np.median(clicks):.0f} ms "
          f"median (max {1000 * max(clicks):.0f}), Stop to 'stopped' {1000 * stop:.0f} ms")
    print(f"(status line: {status0!r} -> {status!r})")


if __name__ == "__main__":
    main()
