"""Easier to see: the panel with larger text and high contrast."""

from __future__ import annotations

from kiosk.drive.common import to_menu


def to_access_panel(drv) -> None:
    to_menu(drv)
    drv.tap(drv.app.nav.access)
    drv.wait_until(lambda: drv.app.access_panel.parent is not None, 5, "the easier-to-see panel")


def to_menu_high_contrast(drv) -> None:
    to_access_panel(drv)
    drv.tap(drv.app.access_panel.contrast)
    drv.tap(drv.app.access_panel.close)
    drv.wait_until(lambda: drv.app.access_panel.parent is None, 5, "the panel to close")
