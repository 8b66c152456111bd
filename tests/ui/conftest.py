"""One real Kivy app for the whole UI test session (Kivy has one window per process),
rendered with SDL's offscreen driver on Mesa (or on the Xvfb display the tests run under)."""

from __future__ import annotations

import tempfile

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


@pytest.fixture(scope="session")
def ui(tmp_path_factory):
    from kiosk import config
    from kiosk.appdriver import AppDriver
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
