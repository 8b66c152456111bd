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

# (size, language, variants): large text and high contrast (``--variants``) in portrait
# Vietnamese only, in the same process as its plain render (each state is reached once there)
SCREENSHOT_RUNS = [("1080x1920", "vi", "plain,large,contrast"), ("1920x1080", "en", "plain")]
_shots: dict = {}


def pytest_collection_finish(session):
    """When the screenshot test is going to run, start its renders now, one after the other in
    a background thread (each a `kiosk screenshots` process): they overlap the other tests."""
    if not any(item.name.startswith("test_screenshots_command_renders_every_state") for item in session.items):
        return
    import subprocess
    import threading
    from pathlib import Path

    from tests.conftest import ROOT, kiosk_cmd

    base = Path(tempfile.mkdtemp(prefix="kiosk-test-shots-"))
    for size, lang, variants in SCREENSHOT_RUNS:
        _shots[(size, lang, variants)] = {"done": threading.Event(), "out": base / f"{size}-{lang}",
                                          "run": None, "seconds": None}

    def render_all() -> None:
        for (size, lang, variants), slot in _shots.items():
            start = time.monotonic()
            try:
                slot["run"] = subprocess.run(
                    kiosk_cmd("screenshots", "--out", str(slot["out"]), "--size", size, "--lang", lang,
                              "--variants", variants),
                    capture_output=True, text=True, cwd=ROOT, timeout=1300)
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
