"""One real Kivy app for the whole UI test session (Kivy has one window per process),
rendered with SDL's offscreen driver on Mesa (or on the Xvfb display the tests run under)."""

from __future__ import annotations

import tempfile
import time

import pytest

from kiosk.idle import ManualClock


def _configure_kivy_before_any_import() -> None:
    """Test modules import screens (and so Kivy's window) when they are collected: the window
    size and the offscreen driver must be set before that, or Kivy opens its default 800x600."""
    from kiosk import config
    from kiosk.app import prepare_kivy
    from tests.conftest import ROOT

    settings = config.load(ROOT / "kiosk.ini").replace(
        kiosk={"data_dir": tempfile.mkdtemp(prefix="kiosk-ui-"), "fullscreen": False})
    prepare_kivy(settings, fullscreen=False, headless=True)


_configure_kivy_before_any_import()


# -- `kiosk screenshots` in the background ---------------------------------------------------------

# Each run: (size, language, variants, states or () for every state).  Landscape English
# first (the key-content test of landscape reads it), then portrait Vietnamese in plain and
# large text (each state reached once, then large text turned on, as the access panel does),
# then high contrast for a sample of states that between them hold every kind of widget: high
# contrast changes colours only, so its layout is the plain one, checked above in full (the
# gallery in docs/screens renders every state in every variant).
CONTRAST_SAMPLE = ("attract", "menu", "lookup_code-error", "lookup_status", "pay_qr", "identify_key", "staff",
                   "technician", "help_over-journey", "confirm_home", "submit_form-error", "submit_form-editor",
                   "delivery_address-picker-ward", "delivery_done")
SCREENSHOT_RUNS = [("1920x1080", "en", "plain", ()), ("1080x1920", "vi", "plain,large", ()),
                   ("1080x1920", "vi", "contrast", CONTRAST_SAMPLE)]
_shots: dict = {}


def pytest_collection_modifyitems(session, config, items):
    """Tests that read the background renders (marked ``gallery``) run last: by then the renders
    have had the whole suite's time, and no test waits for them while others could run."""
    items.sort(key=lambda item: item.get_closest_marker("gallery") is not None)


def pytest_collection_finish(session):
    """When a test that reads the renders is going to run, start them now, one after the other
    in a background thread (each a `kiosk screenshots` process): they overlap the other tests."""
    wanted = set()
    for item in session.items:
        marker = item.get_closest_marker("gallery")
        if marker is not None:  # gallery(size, lang, variants), or the test's parameters
            params = getattr(item, "callspec", None)
            wanted.add(tuple(marker.args) if marker.args else
                       (params.params["size"], params.params["lang"], params.params["variants"]))
    if not wanted:
        return
    import subprocess
    import threading
    from pathlib import Path

    from tests.conftest import ROOT, kiosk_cmd

    base = Path(tempfile.mkdtemp(prefix="kiosk-test-shots-"))
    for size, lang, variants, states in SCREENSHOT_RUNS:
        if (size, lang, variants) not in wanted:
            continue
        _shots[(size, lang, variants)] = {"done": threading.Event(), "out": base / f"{size}-{lang}-{variants}",
                                          "states": states, "run": None, "seconds": None}

    def render_all() -> None:
        for (size, lang, variants), slot in _shots.items():
            start = time.monotonic()
            only = [a for state in slot["states"] for a in ("--only", state)]
            try:
                slot["run"] = subprocess.run(
                    kiosk_cmd("screenshots", "--out", str(slot["out"]), "--size", size, "--lang", lang,
                              "--variants", variants, *only),
                    capture_output=True, text=True, cwd=ROOT, timeout=2400)
            except subprocess.TimeoutExpired as exc:
                slot["run"] = subprocess.CompletedProcess(exc.cmd, -9, str(exc.stdout or ""), "timed out")
            finally:
                slot["seconds"] = time.monotonic() - start
                slot["done"].set()

    threading.Thread(target=render_all, name="screenshots", daemon=True).start()


def background_screenshots(size: str, lang: str, variants: str, timeout: float):
    """The finished render for (size, lang, variants): (CompletedProcess, output folder); how
    long it took is printed (``-s`` or a failure shows it)."""
    slot = _shots.get((size, lang, variants))
    assert slot is not None, "the background render was not started"
    assert slot["done"].wait(timeout), f"screenshots {size} {lang} {variants} did not finish in {timeout} s"
    print(f"kiosk screenshots --size {size} --lang {lang} --variants {variants}: {slot['seconds']:.0f} s")
    return slot["run"], slot["out"]


@pytest.fixture(scope="session")
def ui(tmp_path_factory):
    from kiosk import config
    from kiosk.drive.driver import AppDriver
    from tests.conftest import ROOT

    data = tmp_path_factory.mktemp("ui-data")
    settings = config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(data), "fullscreen": False})
    clock = ManualClock()
    drv = AppDriver(settings, idle_clock=clock)
    assert tuple(drv.window.size) == settings.kiosk.screen_size, drv.window.size
    drv.clock = clock
    drv.data_dir = data
    yield drv
    drv.close()


@pytest.fixture
def app(ui):
    """The shared app, back on the attract screen in Vietnamese before each test."""
    ui.app.core.reset("test")
    ui.frames(3)
    yield ui
    ui.app.core.reset("test")
    ui.frames(2)
    drain_outbox(ui)


class GateClock:
    """A PIN gate's clock that tests move by hand (``gate.clock = GateClock()``)."""

    def __init__(self):
        self.t = 10_000.0

    def __call__(self):
        return self.t


@pytest.fixture
def staff_app(app):
    """The shared app with fresh PIN gates on the real clock, before and after (a lockout or a
    hand-moved clock never leaks into the next test)."""
    core = app.app.core

    def fresh():
        for gate in (core.staff_gate, core.technician_gate):
            gate._failures, gate._locked_until = 0, 0.0
            gate.clock = time.monotonic

    fresh()
    yield app
    fresh()


def drain_outbox(drv, timeout: float = 30.0) -> None:
    """What a test left waiting in the offline outbox (the gateway was down, or the worker was
    paused) is delivered before the next test: each test starts with an empty outbox, as a
    kiosk does once its gateway is back."""
    gateway = drv.app.core.gateway
    outbox, worker = getattr(gateway, "outbox", None), getattr(gateway, "worker", None)
    if outbox is None or worker is None or not outbox.depth():
        return
    worker.kick()
    end = time.monotonic() + timeout
    while outbox.depth() and time.monotonic() < end:
        drv.frames(1)
        time.sleep(0.05)
    assert not outbox.depth(), f"the outbox kept {outbox.depth()} items: {outbox.items()}"
