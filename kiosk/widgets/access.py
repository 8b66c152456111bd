""""Easier to see": larger text and a high-contrast theme, from every screen.

The navigation bar and the attract screen have one button for it; it opens this panel with one
big button per setting, each phrased as what it will do ("Larger text", "Normal text", "High
contrast", "Normal colours"), so nobody has to work out what an on/off switch means.  The
settings last for the session: a reset returns to normal text and colours for the next person.
"""

from __future__ import annotations

from kivy.uix.modalview import ModalView

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text


class AccessPanel(ModalView):
    def __init__(self, app, **kw):
        super().__init__(auto_dismiss=True, size_hint=(0.86, None), background_color=(0, 0, 0, 0.6), **kw)
        self._anim_duration = 0
        self.app = app
        t = th.get_theme()
        self.title = Text("", size=th.FONT_TITLE, bold=True, halign="center")
        self.text_size_button = BigButton("", action=self._toggle_text, size=th.FONT_TITLE)
        self.text_size_button.min_height = 170
        self.contrast = BigButton("", action=self._toggle_contrast, size=th.FONT_TITLE)
        self.contrast.min_height = 170
        self.close = BigButton("", action=self.dismiss, kind="secondary")
        panel = Panel(orientation="vertical", padding=t.px(48), spacing=t.px(32), size_hint_y=None)
        for w in (self.title, self.text_size_button, self.contrast, self.close):
            panel.add_widget(w)
        panel.bind(minimum_height=panel.setter("height"))
        panel.bind(height=lambda *_: setattr(self, "height", panel.height))
        self.add_widget(panel)
        self.relabel()

    def relabel(self) -> None:
        t = th.get_theme()
        self.title.text = self.app.t("access.title")
        self.text_size_button.text = self.app.t("access.text_normal" if t.text_scale > 1 else "access.text_large")
        self.contrast.text = self.app.t("access.contrast_normal" if t.high_contrast else "access.contrast_high")
        self.close.text = self.app.t("access.close")

    def _toggle_text(self) -> None:
        self.app.toggle_large_text()
        self.relabel()

    def _toggle_contrast(self) -> None:
        self.app.toggle_high_contrast()
        self.relabel()
