"""How long the UI thread's main loop was blocked: the longest frame while something ran.

What a touch feels
------------------
Kivy's main loop is a plain loop of frames (``EventLoop.idle()``): tick the clock (sleep until
the next frame is due, then run the ``Clock`` callbacks — this is where the results of
``core.run`` land), read and dispatch input, lay out, draw, flip.  A finger that lands
while a frame is running is only read at the start of the next one, so the delay a touch feels
is at most the longest frame plus the frame pacing (16.7 ms at 60 fps).  The monitor therefore
times every frame from the moment the clock woke up (``Clock.get_time()``, the tick taken right
after the pacing sleep) to the end of the frame: that is time the loop was *busy* and could not
answer a touch.  The pacing sleep is not a stall and is not counted; the interval between frame
starts is recorded too (an idle screen's baseline).

Why not a Clock callback per frame, or a watchdog thread posting to the loop?  Both measure
gaps between frames, and when a script (``AppDriver``, a test, the bench) steps the loop, that
gap also holds the script's own work between frames (walking the widget tree, building touches)
— time the kiosk never spends in the field.  Timing inside ``idle()`` sees exactly the loop's
own work, whether it is stepped by a script or run by ``App.run()``, and needs no thread.

A frame is also split in two at the window's ``on_draw``: the *work* before it (Clock
callbacks, touch handlers, layout — the kiosk's own Python) and the *drawing* (GL draw calls,
label textures, the flip — the renderer's, which headless Mesa does in software).  Each frame's
UI-thread CPU time is recorded too: on a loaded machine (or with busy worker
threads holding the GIL) a frame's wall time can be far longer than its own work, and the two
side by side tell a slow frame from a starved one.

A GL driver may defer drawing: Mesa's software renderer queues a frame's rasterization and
runs it when something must wait for it (the next texture upload into a texture still in use,
typically a label's new text), so one frame is charged the drawing of several, and the
stack shows a label upload where the cost is drawing.  With ``finish_frames`` (the default
with Kivy's own loop) the monitor ends every frame with ``glFinish()``: each frame pays for its
own drawing, as on a display that presents every frame, and its figure is that frame's.

The optional stack sampler (``sample_stacks=True``) is a diagnosis aid: a daemon thread looks
at the UI thread every 2 ms while a frame has run longer than the budget and counts where it
is; a section names the place seen most often in its longest frame — by file and line.

Usage (from a bench or a test)::

    monitor = StallMonitor()          # Kivy's EventLoop and Clock
    with monitor:                     # installed while the block runs
        with monitor.section("print") as s:
            ...                       # step frames / run the app
    print(s.longest, s.frames, s.worst_where)
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

BUDGET_S = 0.050  # the kiosk's goal: no frame longer than 50 ms


@dataclass
class Section:
    """The frames of one named stretch of time."""

    name: str
    frames: int = 0
    busy_total: float = 0.0
    longest: float = 0.0  # the longest busy frame, seconds (wall time)
    longest_cpu: float = 0.0  # the most UI-thread CPU time one frame took, seconds
    longest_work: float = 0.0  # the longest part of a frame before drawing (callbacks, touches, layout)
    longest_drawing: float = 0.0  # the longest drawing part (on_draw + flip, label textures)
    longest_interval: float = 0.0  # the longest time from one frame's start to the next's
    over_budget: int = 0  # frames longer than the budget
    worst_where: str = ""  # where the UI thread was during the longest sampled frame
    work_where: str = ""  # where it was during the longest sampled work part (before drawing)
    wall: float = 0.0  # seconds from entering the section to leaving it
    _t0: float = 0.0
    _worst_sampled: float = field(default=0.0, repr=False)
    _work_sampled: float = field(default=0.0, repr=False)

    @property
    def mean(self) -> float:
        return self.busy_total / self.frames if self.frames else 0.0


class StallMonitor:
    """Times every frame of a Kivy-style event loop (an object with ``idle()``).

    ``loop`` defaults to Kivy's ``EventLoop`` and ``clock`` to Kivy's ``Clock`` (``time()``, and
    ``get_time()``: the tick taken after the frame-pacing sleep).  Tests may pass stand-ins.
    """

    def __init__(self, loop: Any = None, clock: Any = None, *, window: Any = None, budget: float = BUDGET_S,
                 sample_stacks: bool = False, sample_every: float = 0.002, finish_frames: bool | None = None):
        if finish_frames is None:
            finish_frames = loop is None  # Kivy's loop: a GL context to finish
        self._finish = None
        if finish_frames:
            from kivy.graphics.opengl import glFinish

            self._finish = glFinish
        if loop is None:
            from kivy.base import EventLoop as loop  # noqa: N813
        if clock is None:
            from kivy.clock import Clock as clock  # noqa: N813
        self.loop = loop
        self.clock = clock
        self.window = window if window is not None else getattr(loop, "window", None)
        self._draw_at: float | None = None
        self.budget = budget
        self.sample_stacks = sample_stacks
        self.sample_every = sample_every
        self.total = Section("total")
        self._open: list[Section] = []
        self._installed = False
        self._original = None
        self._prev_start: float | None = None
        # the stack sampler's view of the frame in progress
        self._in_frame_since: float | None = None
        self._frame_samples: Counter = Counter()  # (phase, place) → samples, this frame
        self._ui_thread: int | None = None
        self._sampler: threading.Thread | None = None
        self._stop = threading.Event()

    # -- installing -----------------------------------------------------------------------

    def install(self) -> StallMonitor:
        if self._installed:
            return self
        self._original = self.loop.__dict__.get("idle")  # an instance attribute, if any
        inner = self.loop.idle
        clock = self.clock

        def idle(*args, **kw):
            t0 = clock.time()
            c0 = time.thread_time()
            self._in_frame_since = t0
            self._draw_at = None
            try:
                return inner(*args, **kw)
            finally:
                if self._finish is not None and self._draw_at is not None:
                    self._finish()  # this frame's drawing, done now (see the module's notes)
                t1 = clock.time()
                cpu = time.thread_time() - c0
                woke = clock.get_time()
                # busy from the clock's wake-up (after its pacing sleep); before that, the loop slept
                start = woke if t0 <= woke <= t1 else t0
                drawn = self._draw_at if self._draw_at is not None and start <= self._draw_at <= t1 else t1
                self._in_frame_since = None
                samples, self._frame_samples = self._frame_samples, Counter()
                self._frame(t0, t1 - start, cpu, drawn - start, _most_seen(samples),
                            _most_seen(Counter({k: n for k, n in samples.items() if k[0] == "work"})))

        self.loop.idle = idle
        if self.window is not None and hasattr(self.window, "fbind"):
            self.window.fbind("on_draw", self._drawing)  # bound handlers run before the window draws
        self._installed = True
        self._ui_thread = threading.get_ident()
        if self.sample_stacks:
            self._stop.clear()
            self._sampler = threading.Thread(target=self._sample, name="stall-sampler", daemon=True)
            self._sampler.start()
        return self

    def uninstall(self) -> None:
        if not self._installed:
            return
        if self._original is None:
            try:
                del self.loop.idle
            except AttributeError:
                pass
        else:
            self.loop.idle = self._original
        self._installed = False
        if self.window is not None and hasattr(self.window, "funbind"):
            self.window.funbind("on_draw", self._drawing)
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join(1.0)
            self._sampler = None

    def __enter__(self) -> StallMonitor:
        return self.install()

    def __exit__(self, *exc) -> None:
        self.uninstall()

    # -- measuring ------------------------------------------------------------------------

    @contextmanager
    def section(self, name: str) -> Iterator[Section]:
        """Frames that run inside the block are counted in the yielded ``Section``."""
        s = Section(name, _t0=time.perf_counter())
        self._open.append(s)
        try:
            yield s
        finally:
            s.wall = time.perf_counter() - s._t0
            self._open.remove(s)

    def reset(self) -> None:
        self.total = Section("total")
        self._prev_start = None

    def _drawing(self, *_args) -> None:
        if self._draw_at is None:
            self._draw_at = self.clock.time()

    def _frame(self, start: float, busy: float, cpu: float, work: float, where: str, work_where: str) -> None:
        interval = start - self._prev_start if self._prev_start is not None else 0.0
        self._prev_start = start
        for s in (self.total, *self._open):
            s.frames += 1
            s.busy_total += busy
            if busy > s.longest:
                s.longest = busy
            if cpu > s.longest_cpu:
                s.longest_cpu = cpu
            if work > s.longest_work:
                s.longest_work = work
            if busy - work > s.longest_drawing:
                s.longest_drawing = busy - work
            if interval > s.longest_interval:
                s.longest_interval = interval
            if busy > self.budget:
                s.over_budget += 1
            if where and busy > s._worst_sampled:
                s._worst_sampled = busy
                s.worst_where = where
            if work_where and work > s._work_sampled:
                s._work_sampled = work
                s.work_where = work_where

    # -- where the UI thread is during a long frame ---------------------------------------

    def _sample(self) -> None:
        while not self._stop.wait(self.sample_every):
            since = self._in_frame_since
            if since is None or self.clock.time() - since <= self.budget:
                continue
            frame = sys._current_frames().get(self._ui_thread)
            if frame is not None and self._in_frame_since == since:
                where = _describe(frame)
                if where:
                    self._frame_samples["work" if self._draw_at is None else "drawing", where] += 1


def _most_seen(samples: Counter) -> str:
    if not samples:
        return ""
    (_phase, place), n = samples.most_common(1)[0]
    return f"{place} ({n} of {sum(samples.values())} samples)"


def _describe(frame) -> str:
    """Where the UI thread is inside the frame: the innermost of the kiosk's own functions
    (screens, widgets, core) and the innermost function of all, innermost last."""
    stack = traceback.extract_stack(frame)
    # only what runs inside the frame: after this module's idle() wrapper
    inside = [i for i, f in enumerate(stack) if f.filename == __file__]
    if inside:
        stack = stack[inside[-1] + 1:]
    if not stack:
        return ""
    ours = [f for f in stack if "/kiosk/" in f.filename.replace("\\", "/")]
    chosen = ours[-2:]
    innermost = stack[-1]
    if innermost not in chosen:
        chosen.append(innermost)
    return " > ".join(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in chosen)


def _short(path: str) -> str:
    path = path.replace("\\", "/")
    for marker in ("/kiosk/", "/site-packages/", "/lib/python"):
        i = path.rfind(marker)
        if i >= 0:
            return path[i + 1:]
    return path
