"""``kiosk bench journeys``: each citizen journey driven through the real app, headless.

Three tables, side by side with the goals (printed, never asserted):

1. Per journey: taps (beside issue 14's goals), scripted seconds and the longest UI-thread
   stall; ``--json`` prints one object a line instead, ``{"journey", "taps", "goal",
   "within_goal", "seconds", ...}``, and sends the other tables to stderr.  A journey starts
   on the attract screen (help: on a journey's screen, as "from any screen" means) and ends
   when the citizen sees what they came for (the status, who the chip says, the paid
   receipt, the ticket).  Each journey is the
   script that ``kiosk screenshots`` uses to reach its states (kiosk/drive), run
   through ``AppDriver`` with taps counted and frames stepped as fast as the loop goes (no
   60 fps pacing), so the seconds are the app's and the devices' time, not a person's.
2. The longest stall during a card read, a status-slip print and a gateway look-up, each run
   ``--repeat`` times at the kiosk's real frame pacing (60 fps), next to an idle screen's frame
   interval.  Goal: no frame longer than 50 ms (see kiosk/stall.py for what is timed and why).
3. Memory (RSS, Python objects, the object types that grew) after 10 scripted sessions and
   after ``--sessions``.  Sessions alternate: identify with the card then a scanned look-up, or
   a scanned look-up with a printed slip; one in three ends by the idle timeout, the others by
   Finish.  Every session goes through the real UI (rendering included), so the count is what
   takes time: a session is ~5-10 s of CPU with software GL, 500 of them take tens of minutes
   (``--quick``: 30).  Goal: growth under 20 MB.

Headless runs draw with Mesa's software rasterizer (llvmpipe), whose threads compete with
everything else on the machine: the *drawing* part of a frame (label textures waiting for the
rasterizer) reflects that machine, the *app work* part (the kiosk's own Python) much less.
The header prints the GL renderer and the load average; compare runs on a quiet machine.
The embedded demo gateway runs in this process (as with ``[gateway] url = embedded``); its
threads share the interpreter with the UI thread, as they do on a demo kiosk.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from kiosk.memory import release_after_session

DESCRIPTION = "taps, seconds and UI stalls per citizen journey; memory after many sessions"

STALL_GOAL_MS = 50.0
GROWTH_GOAL_MB = 20.0


def add_arguments(p) -> None:
    p.add_argument("--sessions", type=int, default=500, help="scripted sessions for the memory figure (default 500)")
    p.add_argument("--repeat", type=int, default=5, help="runs of each timed operation (default 5)")
    p.add_argument("--quick", action="store_true",
                   help="a short run: each journey and operation once, at most 30 sessions, 1 s idle baselines")
    p.add_argument("--only", default="", help="comma-separated parts: journeys,stalls,memory (default all)")
    p.add_argument("--journeys", default="", help="comma-separated journey names to run (default all)")
    p.add_argument("--json", action="store_true",
                   help="print the journeys as JSON, one object a line ({\"journey\", \"taps\", \"seconds\", ...})")
    p.add_argument("--idle", type=float, default=3.0, help="seconds of each idle screen's baseline (default 3)")
    p.add_argument("--size", default=None, help="window size WxH (default: kiosk.ini's)")
    p.add_argument("--no-stacks", dest="stacks", action="store_false",
                   help="do not sample the UI thread's stack during frames over 50 ms (names where they were)")


# -- the journeys, as a citizen does them -----------------------------------------------------------
#
# Each is (name, script).  A script starts wherever the previous one left the app (the state
# functions begin with the attract screen) and ends when the citizen is done.  Journeys that
# other parts of the kiosk add later are named by their screenshot function and skipped, with a
# note, until kiosk/drive has it.


def _shots():
    from kiosk import drive

    return drive


def lookup_scanned(drv) -> None:
    """From the attract screen: show the receipt's QR to the camera → the dossier's status."""
    S = _shots()
    S.to_lookup(drv)
    drv.tap(drv.screen.scan.demo)  # the demo's sample receipt in front of the simulated camera
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the scanned dossier")


def lookup_typed(drv) -> None:
    """From the attract screen: type the code (its fixed part skipped) → the dossier's status."""
    _shots().to_status(drv)


def identify_typed(drv) -> None:
    """From the attract screen: consent → the last 6 digits of the ID number → the card on the
    reader → who the chip says (the card stays until the script takes it)."""
    from kiosk.samples import SAMPLE_PERSON_ID

    S = _shots()
    reader = drv.app.core.devices.card_reader
    reader.remove_card()
    S.to_identify(drv)
    drv.tap(drv.screen.agree)
    S.type_digits(drv, SAMPLE_PERSON_ID[-6:])
    drv.wait_until(lambda: drv.app.current == "identify_read", what="the place-card step")
    reader.place_card()
    drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    reader.remove_card()


def pay_vietqr(drv) -> None:
    """From the attract screen: show the dossier receipt's QR (its claim code shows the citizen
    may pay for it) → the fee → VietQR → the bank confirms (on the citizen's phone: the demo
    gateway is told, no tap on the kiosk) → paid."""
    from kiosk.gateway.client import new_idempotency_key
    from kiosk.gateway.demo.samples import sample_submission
    from kiosk.payloads import receipt_qr

    S = _shots()
    receipt = drv.app.core.gateway.wait().submit_dossier(sample_submission(), new_idempotency_key())
    qr = receipt_qr(receipt.code, receipt.claim_code)
    S.to_menu(drv)
    drv.tap(drv.screen.tiles["pay"])
    drv.wait_until(lambda: drv.app.current == "pay_code", what="the pay code screen")
    scan = drv.screen.scan
    action, scan.demo.action = scan.demo.action, lambda: scan.show_demo(qr)  # this receipt, not the sample's
    try:
        drv.tap(scan.demo)
        drv.wait_until(lambda: drv.app.current == "pay_amount", 20, "the fee")
    finally:
        scan.demo.action = action
    drv.tap(drv.screen.vietqr)
    drv.wait_until(lambda: drv.app.current == "pay_qr" and drv.screen.qr.modules > 0, 20, "the VietQR code")
    drv.app.journeys.pay.demo_confirm()
    drv.wait_until(lambda: drv.app.current == "pay_done" and drv.screen.result is not None, 20, "paid")


def help_over_a_journey(drv) -> None:
    """Mid-journey (the look-up code screen, not counted): "Gọi nhân viên" → what it is about →
    the ticket over the screen."""
    from kiosk.drive.help import ask_over_screen

    ask_over_screen(drv)


help_over_a_journey.setup = lambda drv: _shots().to_lookup(drv)  # type: ignore[attr-defined]


def _later(function: str) -> Callable:
    """A journey whose script is ``kiosk.drive.<function>`` once that journey is built."""

    def script(drv) -> None:
        getattr(_shots(), function)(drv)

    script.needs = function  # type: ignore[attr-defined]
    return script


JOURNEYS: list[tuple[str, Callable]] = [
    ("lookup-scan", lookup_scanned),
    ("lookup-typed", lookup_typed),
    ("identify-typed", identify_typed),
    ("pay-vietqr", pay_vietqr),
    ("help", help_over_a_journey),
    ("submit-birth-registration", _later("to_submit_receipt")),
    ("delivery", _later("to_delivery_done")),
]
# the goals of issue 14, in taps (printed beside the figures, never asserted here)
GOALS = {"lookup-scan": 3, "lookup-typed": 14, "identify-typed": 9, "submit-birth-registration": 50,
         "delivery": 25, "pay-vietqr": 4, "help": 2}


def available(script: Callable) -> bool:
    needs = getattr(script, "needs", None)
    return needs is None or hasattr(_shots(), needs)


# -- measuring helpers ------------------------------------------------------------------------------


class TapCounter:
    """Counts ``AppDriver.tap`` calls (every other touch helper goes through it)."""

    def __init__(self, drv):
        self.count = 0
        inner = drv.tap

        def tap(widget, *a, **kw):
            self.count += 1
            return inner(widget, *a, **kw)

        drv.tap = tap


class SessionEndCollections:
    """The app collects Python's garbage on the attract screen after each session and returns
    the freed heap pages to the system (kiosk/app.py, kiosk/memory.py).
    The scripts reset the app at the start of every journey, so that collection would land in
    the next journey's frames; here it runs at the reset itself, outside the timed frames, and
    its own length is reported with the stalls."""

    def __init__(self, drv):
        self.times: list[float] = []
        if getattr(drv.app, "_collect_garbage", None) is None:
            return

        def collect() -> None:
            t0 = time.perf_counter()
            release_after_session()
            self.times.append(time.perf_counter() - t0)

        drv.app._collect_garbage = collect

    def report(self) -> None:
        if self.times:
            print(f"garbage collection and heap trim on the attract screen after a session (not in the tables above): "
                  f"median {ms(statistics.median(self.times))} ms, longest {ms(max(self.times))} ms "
                  f"over {len(self.times)} sessions")


def set_fps(fps: float) -> None:
    """0: frames as fast as the loop goes; 60: the kiosk's real pacing."""
    from kivy.clock import Clock

    Clock._max_fps = float(fps)


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    """CPUs, load and the GL renderer: headless runs draw with Mesa's software rasterizer
    (llvmpipe), whose threads compete with everything else on the machine."""
    try:
        from kivy.graphics.opengl import GL_RENDERER, glGetString

        renderer = glGetString(GL_RENDERER)
        renderer = renderer.decode() if isinstance(renderer, bytes) else str(renderer)
    except Exception:  # noqa: BLE001
        renderer = "unknown"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs, load average {load:.1f}; GL renderer {renderer}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def verdict(longest_s: float) -> str:
    return "ok" if longest_s * 1000 <= STALL_GOAL_MS else "OVER"


STALL_HEAD = (f"{'frames':>7}{'mean ms':>9}{'longest frame ms':>18}{'drawing':>9}{'app work':>10}{'CPU':>7}"
              f"{'>50ms':>7}  frame/work vs ≤{STALL_GOAL_MS:.0f} ms")


def stall_cols(sections: list) -> str:
    """frames (per run), mean busy, the longest frame and, across runs, the longest drawing part,
    the longest app-work part and the most UI-thread CPU one frame took; frames over 50 ms."""
    frames = sum(s.frames for s in sections)
    mean = sum(s.busy_total for s in sections) / frames if frames else 0.0
    longest = max(s.longest for s in sections)
    work = max(s.longest_work for s in sections)
    drawing = max(s.longest_drawing for s in sections)
    cpu = max(s.longest_cpu for s in sections)
    over = sum(s.over_budget for s in sections)
    return (f"{frames / len(sections):>7.0f}{ms(mean):>9}{ms(longest):>18}{ms(drawing):>9}{ms(work):>10}{ms(cpu):>7}"
            f"{over:>7}  {verdict(longest)}/{verdict(work)}")


def where_lines(name: str, sections: list) -> list[str]:
    """Where the UI thread spent the longest frame and the longest app work, if over the goal."""
    out = []
    worst = max(sections, key=lambda s: s.longest)
    if worst.worst_where and worst.longest * 1000 > STALL_GOAL_MS:
        out.append(f"  {name}: longest frame ({ms(worst.longest)} ms) mostly in {worst.worst_where}")
    work = max(sections, key=lambda s: s.longest_work)
    if work.work_where and work.longest_work * 1000 > STALL_GOAL_MS:
        out.append(f"  {name}: longest app work ({ms(work.longest_work)} ms) mostly in {work.work_where}")
    return out


# -- 1. journeys ------------------------------------------------------------------------------------


def bench_journeys(drv, monitor, taps: TapCounter, runs: int, only: set[str] | None = None,
                   on_row: Callable[[dict], None] | None = None) -> list[dict]:
    """Each journey ``runs`` times after a warm-up run; ``on_row(row)`` as each one ends (the
    JSON lines come out one by one, so a journey that fails later keeps the earlier figures)."""
    from kiosk.drive import to_attract

    set_fps(0)
    rows = []
    for name, script in JOURNEYS:
        if only and name not in only:
            continue
        if not available(script):
            rows.append({"name": name, "missing": script.needs})
            if on_row is not None:
                on_row(rows[-1])
            continue
        per = []
        for _ in range(runs + 1):  # the first run warms caches (fonts, textures, screens)
            to_attract(drv)
            drv.frames(3)
            setup = getattr(script, "setup", None)
            if setup is not None:  # where the journey starts (not counted, not timed)
                setup(drv)
                drv.frames(3)
            taps.count = 0
            with monitor.section(name) as s:
                script(drv)
            per.append((taps.count, s))
        first = per[0][1]
        per = per[1:]
        rows.append({"name": name, "taps": per[-1][0], "seconds": statistics.median(s.wall for _, s in per),
                     "first": first.wall, "sections": [s for _, s in per]})
        if on_row is not None:
            on_row(rows[-1])
    to_attract(drv)
    return rows


def journey_json(rows: list[dict]) -> list[dict]:
    """One object per journey: ``{"journey", "taps", "goal", "within_goal", "seconds", ...}``."""
    out = []
    for r in rows:
        if "missing" in r:
            out.append({"journey": r["name"], "missing": f"kiosk.drive.{r['missing']}"})
            continue
        goal = GOALS.get(r["name"])
        ss = r["sections"]
        out.append({"journey": r["name"], "taps": r["taps"], "goal": goal,
                    "within_goal": None if goal is None else r["taps"] <= goal,
                    "seconds": round(r["seconds"], 3), "first_run_seconds": round(r["first"], 3),
                    "longest_frame_ms": round(max(x.longest for x in ss) * 1000, 1),
                    "longest_app_work_ms": round(max(x.longest_work for x in ss) * 1000, 1)})
    return out


def print_journeys(rows: list[dict], runs: int) -> None:
    print(f"1. Journeys through the real app: taps and seconds (median of {runs} after a warm-up run), "
          "frames as fast as they go")
    head = f"{'journey':<27}{'taps':>5}{'goal':>6}{'seconds':>9}{'1st run':>9}" + STALL_HEAD
    print(head)
    print("-" * len(head))
    notes = []
    for r in rows:
        if "missing" in r:
            print(f"{r['name']:<27}  (not built yet: kiosk.drive.{r['missing']} is missing)")
            continue
        goal = GOALS.get(r["name"])
        mark = "" if goal is None else ("≤" + str(goal) if r["taps"] <= goal else "OVER")
        print(f"{r['name']:<27}{r['taps']:>5}{mark:>6}{r['seconds']:>9.2f}{r['first']:>9.2f}"
              + stall_cols(r["sections"]))
        notes += where_lines(r["name"], r["sections"])
    print("\n".join(notes))


# -- 2. stalls during slow work ---------------------------------------------------------------------


def _card_read(drv, monitor) -> dict:
    from kiosk.drive import to_identify_place

    to_identify_place(drv)
    drv.frames(3)
    with monitor.section("card read") as s:
        drv.app.core.devices.card_reader.place_card()
        drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
    return {"card read (identify screen)": s}


def _lookup_and_print(drv, monitor) -> dict:
    """The code put in the field as a scan puts it (typing is timed in the journeys), then the
    look-up (a gateway call) and the status slip (a print), each timed on its own."""
    from kiosk.drive import to_lookup
    from kiosk.samples import SAMPLE_DOSSIER

    to_lookup(drv)
    if getattr(drv.screen, "mode", "type") == "scan":
        drv.tap(drv.screen.to_typing)
    drv.screen.set_code(SAMPLE_DOSSIER)
    drv.frames(3)
    with monitor.section("gateway look-up") as gateway:
        drv.tap(drv.screen.submit)
        drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the dossier status")
    drv.frames(3)
    with monitor.section("print") as printing:
        drv.tap(drv.screen.print_button)
        drv.wait_until(lambda: drv.screen.printed.parent is not None, 20, "the printed message")
    return {"gateway call (look-up)": gateway, "print (status slip)": printing}


OPERATIONS = [_card_read, _lookup_and_print]


def bench_stalls(drv, monitor, runs: int, idle_seconds: float, warm_up: bool = True) -> list[dict]:
    from kiosk.drive import to_attract, to_menu

    rows = []
    set_fps(60)  # as the kiosk runs: frames paced at 60 fps, workers get the time between them
    for where, reach in (("idle: attract screen", to_attract), ("idle: menu", to_menu)):
        reach(drv)
        drv.advance(0.5)
        with monitor.section(where) as s:
            drv.advance(idle_seconds)
        rows.append({"name": where, "runs": 1, "sections": [s]})
    found: dict[str, list] = {}
    for op in OPERATIONS:
        if warm_up:
            op(drv, monitor)
        for _ in range(runs):
            for name, s in op(drv, monitor).items():
                found.setdefault(name, []).append(s)
    for name in ("card read (identify screen)", "print (status slip)", "gateway call (look-up)"):
        rows.append({"name": name, "runs": len(found[name]), "sections": found[name]})
    to_attract(drv)
    set_fps(0)
    return rows


def print_stalls(rows: list[dict]) -> None:
    print("\n2. UI-thread stalls while slow work runs off the UI thread, at the kiosk's 60 fps pacing")
    head = f"{'during':<28}{'runs':>5}{'seconds':>9}{'interval':>9}" + STALL_HEAD
    print(head)
    print("-" * len(head))
    notes = []
    for r in rows:
        ss = r["sections"]
        frames = sum(s.frames for s in ss)
        interval = sum(s.wall for s in ss) / frames if frames else 0.0
        print(f"{r['name']:<28}{r['runs']:>5}{statistics.median(s.wall for s in ss):>9.2f}{ms(interval):>9}"
              + stall_cols(ss))
        notes += where_lines(r["name"], ss)
    print("\n".join(notes))


# -- 3. memory over many sessions -------------------------------------------------------------------


def session(drv, i: int) -> None:
    """One citizen: even sessions identify with the card then look a dossier up by scanning it;
    odd ones look a dossier up by scanning and print its slip.  Every third one walks away and
    the idle timeout ends the session; the others press Finish."""
    S = _shots()
    core = drv.app.core
    if i % 2 == 0:
        S.to_identify_place(drv)  # consent, the last 6 digits
        core.devices.card_reader.place_card()
        drv.wait_until(lambda: drv.app.current == "identify_result", 30, "the identity")
        drv.tap(drv.screen.go)
        drv.wait_until(lambda: drv.app.current == "done", what="done")
        core.devices.card_reader.remove_card()
        drv.tap(drv.screen.finish)
        drv.wait_until(lambda: drv.app.current == "attract", what="the attract screen")
    S.to_lookup(drv)
    drv.tap(drv.screen.scan.demo)
    drv.wait_until(lambda: drv.app.current == "lookup_status", 20, "the scanned dossier")
    if i % 2 == 1:
        drv.tap(drv.screen.print_button)
        drv.wait_until(lambda: drv.screen.printed.parent is not None, 20, "the printed message")
    if i % 3 == 2:
        idle = core.idle
        idle.clock.advance(idle.warn_after + idle.countdown + 1)
        drv.wait_until(lambda: drv.app.current == "attract", 10, "the idle timeout")
    else:
        drv.tap(drv.screen.done_button)
        drv.wait_until(lambda: drv.app.current == "done", what="done screen")
        drv.tap(drv.screen.finish)
        drv.wait_until(lambda: drv.app.current == "attract", what="the attract screen")


def _settle(drv) -> None:
    """What the kiosk does on the attract screen after a session (see KioskApp), then one more
    collection for what finalizers freed."""
    drv.frames(5)
    release_after_session()
    gc.collect()


def _census() -> Counter:
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def bench_memory(drv, sessions: int, early: int = 10) -> dict:
    set_fps(0)
    out: dict = {"sessions": sessions, "early": early, "trend": []}
    marks = {early, sessions} | {k for k in (25, 50, 100, 200, 300, 400) if early < k < sessions}
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(sessions):
        session(drv, i)
        n = i + 1
        if n in marks:
            _settle(drv)
            out["trend"].append((n, rss_mb(), len(gc.get_objects()), time.perf_counter() - t0))
        if n == early:
            out["census_early"] = _census()
        if sys.stderr.isatty() and n % 25 == 0:
            print(f"  … {n} sessions, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    out["seconds"] = time.perf_counter() - t0
    out["cpu"] = time.process_time() - c0
    out["census_end"] = _census()
    return out


def print_memory(m: dict) -> None:
    n, e = m["sessions"], m["early"]
    print("\n3. Memory after scripted sessions through the real app (identify + scanned look-up, or scanned "
          "look-up + printed slip; Finish or the idle timeout)")
    head = f"{'after':<16}{'RSS MB':>10}{'Python objects':>16}{'seconds':>10}"
    print(head)
    print("-" * len(head))
    for k, rss, objects, seconds in m["trend"]:
        print(f"{f'{k} sessions':<16}{rss:>10.1f}{objects:>16}{seconds:>10.1f}")
    (_, rss0, obj0, t_early), (_, rss1, obj1, _) = m["trend"][0], m["trend"][-1]
    growth = rss1 - rss0
    per = growth * 1024 / (n - e) if n > e else 0.0
    verdict = "ok" if growth < GROWTH_GOAL_MB else "OVER"
    print(f"growth from {e} to {n} sessions: {growth:+.1f} MB RSS ({per:+.1f} KB per session), "
          f"{obj1 - obj0:+d} Python objects; goal < {GROWTH_GOAL_MB:.0f} MB: {verdict}")
    later = (m["seconds"] - t_early) / (n - e) if n > e else m["seconds"] / n
    print(f"one session: {later:.2f} s; {n} sessions: {m['seconds']:.0f} s wall, {m['cpu']:.0f} s CPU "
          "(all threads, software GL included)")
    grown = [(k, v) for k, v in (m["census_end"] - m["census_early"]).most_common(6) if v > 0]
    if grown:
        print("object types that grew most: " + ", ".join(f"{k} +{v}" for k, v in grown))


# -- running ----------------------------------------------------------------------------------------


def run(args) -> int:
    from kiosk.config import load_or_exit
    from kiosk.drive.driver import AppDriver
    from kiosk.idle import ManualClock
    from kiosk.stall import StallMonitor

    quick = args.quick
    runs = 1 if quick else max(1, args.repeat)
    # --json: the journeys' objects alone on stdout, one a line; everything else goes to stderr
    out = sys.stdout
    as_json = getattr(args, "json", False)
    if as_json:
        sys.stdout = sys.stderr
    sessions = min(args.sessions, 30) if quick else args.sessions
    parts = {p.strip() for p in args.only.split(",") if p.strip()} or {"journeys", "stalls", "memory"}

    settings = load_or_exit(getattr(args, "config", None))
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-journeys-"))
    # a private data folder: the bench never touches the kiosk's real logs, outbox or printer queue
    settings = settings.replace(kiosk={"data_dir": str(tmp), "fullscreen": False})
    size = tuple(int(v) for v in args.size.lower().split("x")) if args.size else None
    t0 = time.perf_counter()
    drv = AppDriver(settings, size=size, idle_clock=ManualClock())
    drv.app.core.gateway.wait(30)  # the embedded gateway is up before anything is timed
    drv.frames(5)
    print(f"app ready in {time.perf_counter() - t0:.1f} s; window {drv.window.size[0]}x{drv.window.size[1]}; "
          f"RSS {rss_mb():.0f} MB; Python {sys.version.split()[0]}; {machine()}\n")
    taps = TapCounter(drv)
    collections = SessionEndCollections(drv)
    monitor = StallMonitor(sample_stacks=args.stacks).install()
    from kiosk.drive.driver import UiTimeout

    try:
        if "journeys" in parts:
            only = {j.strip() for j in args.journeys.split(",") if j.strip()}
            if as_json:
                import json

                def emit(row: dict) -> None:
                    for obj in journey_json([row]):
                        print(json.dumps(obj, ensure_ascii=False), file=out, flush=True)

                bench_journeys(drv, monitor, taps, runs, only, on_row=emit)
            else:
                print_journeys(bench_journeys(drv, monitor, taps, runs, only), runs)
        if "stalls" in parts:
            idle = min(args.idle, 1.0) if quick else args.idle
            print_stalls(bench_stalls(drv, monitor, runs, idle, warm_up=not quick))
            collections.report()
        if "memory" in parts:
            print_memory(bench_memory(drv, sessions, early=min(10, max(1, sessions // 3))))
        print(f"\nload average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    except UiTimeout as exc:  # Kivy's excepthook would swallow it when its console log is off
        print(f"\nthe script got stuck: {exc}", flush=True)
        return 1
    finally:
        monitor.uninstall()
        set_fps(60)
        drv.close()
        sys.stdout = out
    return 0
