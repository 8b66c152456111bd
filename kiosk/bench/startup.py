"""``kiosk bench startup``: seconds from process start to the first drawn frame of the attract
screen, and peak memory, over several fresh processes."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DESCRIPTION = "median seconds from process start to the attract screen's first frame, and peak RSS"


def add_arguments(p) -> None:
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--size", default="1080x1920", help="window size (default 1080x1920)")


def one_run(size: str, config: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        probe = Path(tmp) / "probe.json"
        env = dict(os.environ, KIOSK_STARTUP_PROBE=str(probe), KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
                   KIVY_HOME=str(Path(tmp) / "kivy"))
        if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
            env["SDL_VIDEODRIVER"] = "offscreen"
        cmd = [sys.executable, "-m", "kiosk"]
        if config:
            cmd += ["--config", config]
        cmd += ["run", "--windowed", "--size", size]
        t0 = time.time()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        t_exit = time.time()
        if not probe.exists():
            raise RuntimeError(f"the kiosk did not draw a frame (exit {proc.returncode}): {proc.stderr[-800:]}")
        facts = json.loads(probe.read_text())
        facts.update(t0=t0, t_exit=t_exit)
        return facts


def run(args) -> int:
    runs = []
    for i in range(args.runs):
        facts = one_run(args.size, args.config)
        runs.append(facts)
        print(f"run {i + 1}: first frame after {facts['t_first_frame'] - facts['t0']:.2f} s "
              f"(interpreter + imports {facts['t_cli'] - facts['t0']:.2f} s), "
              f"peak RSS {facts['vmhwm_kb'] / 1024:.0f} MiB")
    first = [f["t_first_frame"] - f["t0"] for f in runs]
    cli = [f["t_cli"] - f["t0"] for f in runs]
    app = [f["t_first_frame"] - f["t_cli"] for f in runs]
    hwm = [f["vmhwm_kb"] / 1024 for f in runs]
    print()
    print(f"{'phase':<40}{'median s':>10}{'min s':>10}{'max s':>10}{'share':>8}")
    total = statistics.median(first)
    for name, values in (("process start → CLI ready", cli), ("CLI ready → attract first frame", app),
                         ("process start → attract first frame", first)):
        med = statistics.median(values)
        print(f"{name:<40}{med:>10.2f}{min(values):>10.2f}{max(values):>10.2f}{med / total:>8.0%}")
    print(f"\nmedian seconds to the first frame of the attract screen over {len(runs)} runs: {total:.2f} s")
    print(f"peak RSS at the first frame: median {statistics.median(hwm):.0f} MiB, max {max(hwm):.0f} MiB")
    return 0
