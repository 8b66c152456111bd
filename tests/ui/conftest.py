"""One real Kivy app for the whole UI test session (Kivy has one window per process),
rendered with SDL's offscreen driver on Mesa (or on the Xvfb display the tests run under)."""

from __future__ import annotations

import pytest

from kiosk.idle import ManualClock


@pytest.fixture(scope="session")
def ui(tmp_path_factory):
    from kiosk import config
    from kiosk.appdriver import AppDriver
    from tests.conftest import ROOT

    data = tmp_path_factory.mktemp("ui-data")
    settings = config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(data), "fullscreen": False})
    clock = ManualClock()
    drv = AppDriver(settings, idle_clock=clock)
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
