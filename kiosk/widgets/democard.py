"""The demo's card on the simulated reader, put on and taken off from the screen: a visitor
has no real card to take away, so without this the "card still on the reader" call-out would
stay until a restart.  Shown only with the simulated reader; says "place" or "take" as the
reader's card events say."""

from __future__ import annotations

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton


class DemoCardButton(BigButton):
    def __init__(self, app, reader, **kw):
        super().__init__("", action=self.toggle, kind="quiet", size=th.FONT_SMALL, **kw)
        self.min_height = 100
        self.app = app
        self.reader = reader
        self._unsubscribe = None

    @staticmethod
    def simulated(reader) -> bool:
        return reader is not None and hasattr(reader, "place_card") and hasattr(reader, "remove_card")

    def toggle(self) -> None:
        if self.reader.card_present():
            self.reader.remove_card()
        else:
            self.reader.place_card()
        self.relabel()

    def relabel(self, *_) -> None:
        present = self.reader.card_present()
        self.text = self.app.t("identify.demo_take_card" if present else "identify.demo_card")

    def start(self) -> None:
        """Follow the reader's card events (while the screen shows)."""
        if self._unsubscribe is None and hasattr(self.reader, "add_card_listener"):
            self._unsubscribe = self.reader.add_card_listener(lambda _e: self.app.run_on_ui(self.relabel))
        self.relabel()

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
