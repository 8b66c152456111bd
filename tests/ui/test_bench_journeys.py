"""`kiosk bench journeys --quick` runs end to end in its own process (the bench opens its own
app window, so never inside the shared UI-test app) and prints its three tables.  It prints
figures; this test checks the bench works, not how fast the kiosk is."""

from __future__ import annotations

import os
import subprocess
import tempfile

from tests.conftest import kiosk_cmd


def test_quick_bench_prints_journeys_stalls_and_memory():
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=tempfile.mkdtemp(prefix="kiosk-bench-kivy-"))
    proc = subprocess.run(kiosk_cmd("bench", "journeys", "--quick", "--journeys", "help", "--sessions", "2"),
                          env=env, capture_output=True, text=True, timeout=240)
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "1. Journeys" in out and "\nhelp " in out and "goal" in out
    for row in ("idle: attract screen", "card read (identify screen)", "print (status slip)", "gateway call (look-up)"):
        assert row in out, row
    assert "2 sessions" in out and "goal < 20 MB" in out
    assert "Traceback" not in proc.stderr


def test_json_prints_one_object_per_journey_with_taps_within_the_goals():
    """`--json`: one object a line on stdout.  The look-up and identify journeys keep to the
    goals of issue 14 (look-up by scan ≤ 3 taps, typed ≤ 14 (24 before), identify typed ≤ 9
    (16 before)); taps are counted, not timed, so this holds on any machine."""
    import json

    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=tempfile.mkdtemp(prefix="kiosk-bench-kivy-"))
    proc = subprocess.run(kiosk_cmd("bench", "journeys", "--quick", "--json", "--only", "journeys",
                                    "--journeys", "lookup-scan,lookup-typed,identify-typed"),
                          env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    by_name = {r["journey"]: r for r in rows}
    assert set(by_name) == {"lookup-scan", "lookup-typed", "identify-typed"}
    for name, goal in (("lookup-scan", 3), ("lookup-typed", 14), ("identify-typed", 9)):
        r = by_name[name]
        assert r["goal"] == goal and r["taps"] <= goal and r["within_goal"], r
        assert r["seconds"] > 0
