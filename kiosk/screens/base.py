"""What every screen shares: translated labels that follow the language, a title area at the
top and the controls in the lower part, error, notice and busy states, the step indicator of a
journey ("Bước 3/7 · Tờ khai" and what comes next, numbered from the journey's flow), and
wiping what it showed."""

from __future__ import annotations

from kivy.uix.screenmanager import Screen

from kiosk.core import CitizenError
from kiosk.text import format_vnd
from kiosk.widgets import theme as th
from kiosk.widgets.common import Panel, Scroll, Text, hbox, vbox


class MessagePanel(Panel):
    """The error or notice box; with ``goto`` set, a touch on it runs ``goto`` (it takes the
    citizen to the field to fix)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.goto = None

    def on_touch_up(self, touch):
        if self.goto is not None and self.collide_point(*touch.pos) and touch.grab_current is None:
            self.goto()
            return True
        return super().on_touch_up(touch)


class KioskScreen(Screen):
    title_key = ""
    subtitle_key = ""
    # what must be fully visible without scrolling, at every size and in large text (the layout
    # check reads it): names of attributes holding widgets (the status, the documents list, the
    # first field, the primary button); a callable attribute is called for the widget
    key_content: tuple[str, ...] = ()
    # a screen with little height (the code screens) lets a message take the subtitle's place
    fold_subtitle = False

    def __init__(self, app, **kw):
        super().__init__(**kw)
        self.app = app
        self.core = app.core
        self._tr: dict[int, tuple[object, str, dict]] = {}
        t = th.get_theme()
        self.body = vbox(padding=32 if t.landscape else 48, spacing=20 if t.landscape else 28)
        # The body fills the screen; only when large text makes it taller than the screen does
        # it scroll (a bar shows it), so nothing is ever cut off or pushed out of reach.
        self.scroller = Scroll(do_scroll_x=False, bar_width=t.px(14), scroll_type=["bars", "content"],
                               always_overscroll=False)
        # at normal text size, with speech off, everything must fit without scrolling
        self.scroller.must_fit = lambda: th.get_theme().text_scale <= 1 and not self._speech_bar_open()
        self.body.size_hint_y = None
        self.scroller.add_widget(self.body)
        self.add_widget(self.scroller)

        def fit(*_):
            self.body.height = max(self.body.minimum_height, self.scroller.height)

        self.body.bind(minimum_height=fit)
        self.scroller.bind(height=fit)
        t.bind(text_scale=fit)
        self.title = Text("", size=th.FONT_TITLE, bold=True)
        self.subtitle = Text("", size=th.FONT_BODY, role="muted")
        if self.title_key:
            self.tr(self.title, self.title_key)
            self.body.add_widget(self.title)
        if self.subtitle_key:
            self.tr(self.subtitle, self.subtitle_key)
            self.body.add_widget(self.subtitle)
        self.message = MessagePanel(orientation="vertical", size_hint_y=None, padding=t.px(16 if t.landscape else 28),
                                    spacing=t.px(10), role="surface", border_role="error")
        self.message_text = Text("", size=th.FONT_BODY, role="error", bold=True)
        self.message_next = Text("", size=th.FONT_BODY)
        self.message_goto = Text("", size=th.FONT_BODY, role="primary", bold=True)  # "Chạm vào đây…"
        self.message.add_widget(self.message_text)
        self.message.add_widget(self.message_next)
        self.message.bind(minimum_height=self.message.setter("height"))
        self.message_kind = ""  # "error" or "notice" while a message shows
        # the step indicator: where the citizen is in the journey and what comes next
        stage_size = th.FONT_SMALL * (0.85 if t.landscape else 1)  # landscape has the least height
        self.stage_text = Text("", size=stage_size, role="primary", bold=True)
        self.stage_next = Text("", size=stage_size, role="muted")
        # one row (each half wraps on its own) above the scrolling page, in place of most of
        # the page's top padding: the screen's own content loses as little height as possible,
        # and the indicator stays in view when large text scrolls the page
        self.stage_bar = hbox(self.stage_text, self.stage_next, spacing=24, size_hint=(None, None))
        for w in (self.stage_text, self.stage_next):
            w.bind(height=lambda *_: setattr(self.stage_bar, "height",
                                             max(self.stage_text.height, self.stage_next.height)))
        self._padding = list(self.body.padding)
        self.bind(size=self._place_stage)
        self.stage_bar.bind(height=self._place_stage)
        self.build()

    def _place_stage(self, *_) -> None:
        bar = self.stage_bar
        if bar.parent is not self:
            self.scroller.size_hint_y = 1
            self.body.padding = self._padding
            return
        t = th.get_theme()
        left, top, right, bottom = self._padding
        bar.width = max(1, self.width - left - right)
        bar.pos = (left, self.height - t.px(6) - bar.height)
        self.scroller.size_hint_y = None
        self.scroller.height = max(0, bar.y)
        self.body.padding = (left, t.px(4), right, bottom)

    def _speech_bar_open(self) -> bool:
        is_open = getattr(self.app, "speech_bar_open", None)
        return bool(is_open and is_open())

    # -- subclasses fill these ----------------------------------------------------------------

    def build(self) -> None:
        pass

    def on_pre_enter(self, *_args) -> None:
        self.show_stage()

    def enter(self, **kw) -> None:
        """The step became current."""

    def wipe(self) -> None:
        """Forget everything shown about the citizen (called on every reset)."""
        self.hide_error()

    # -- translation --------------------------------------------------------------------------

    def tr(self, widget, key: str, **fmt):
        self._tr[id(widget)] = (widget, key, fmt)
        widget.text = self.app.t(key, **fmt)
        return widget

    def relabel(self) -> None:
        for widget, key, fmt in list(self._tr.values()):
            widget.text = self.app.t(key, **fmt)
        self.show_stage()
        self.on_relabel()

    def on_relabel(self) -> None:
        pass

    def money(self, amount: int) -> str:
        """An amount in đồng, written the citizen's way ("50.000 đ" / "50,000 VND")."""
        return self.app.t("pay.money", amount=format_vnd(amount, self.app.translator.lang))

    # -- where the citizen is -------------------------------------------------------------------

    def stage_progress(self):
        """The step indicator's numbers for this screen (``kiosk.core.flow.Progress``), or None
        when the screen is no step of the journey under way (or the journey has one stage)."""
        journey = getattr(self.core, "journey", None)
        if journey is None or journey.current != self.name:
            return None
        return journey.stage

    def show_stage(self) -> None:
        """"Bước 3/7 · Tờ khai" and the next stage, at the top of the screen, on every step of
        a journey of several stages; nothing elsewhere."""
        progress = self.stage_progress()
        bar = self.stage_bar
        if progress is None:
            if bar.parent is not None:
                bar.parent.remove_widget(bar)
            self.stage_text.text = self.stage_next.text = ""
            self._place_stage()
            return
        t = self.app.t
        self.stage_text.text = t("stage.indicator", number=progress.number, total=progress.total,
                                 label=t(progress.stage.label))
        self.stage_next.text = t("stage.next", label=t(progress.next.label)) if progress.next else t("stage.last")
        if bar.parent is not self:
            if bar.parent is not None:
                bar.parent.remove_widget(bar)
            self.add_widget(bar)
        self._place_stage()

    # -- errors and notices ---------------------------------------------------------------------

    def show_error(self, err: CitizenError, container=None) -> None:
        self._show_message(err.message_key, err.next_step, "error", container)

    def show_notice(self, message_key: str, next_key: str, container=None, **fmt) -> None:
        """Good news or a plain fact, with what to do next: in the calm colour of a notice,
        never in an error's red (a dossier already paid, a delivery already booked)."""
        self._show_message(message_key, next_key, "notice", container, **fmt)

    def _show_message(self, message_key: str, next_key: str, kind: str, container=None, **fmt) -> None:
        self.message_kind = kind
        self.message.role = "notice" if kind == "notice" else "surface"
        self.message.border_role = "ok" if kind == "notice" else "error"
        self.message_text.role = "ok" if kind == "notice" else "error"
        self.tr(self.message_text, message_key, **fmt)
        self.tr(self.message_next, next_key, **fmt)
        target = container or self.body
        if self.fold_subtitle:
            self._fold_subtitle(True)
        if self.message.parent is not target:
            if self.message.parent:
                self.message.parent.remove_widget(self.message)
            target.add_widget(self.message, index=self._error_index(target))

    def _error_index(self, target) -> int:
        return 0

    def offer_goto(self, action) -> None:
        """The message shown takes the citizen to what it is about (the first field to fix)
        when touched, and says so."""
        self.message.goto = action
        self.tr(self.message_goto, "message.goto")
        if self.message_goto.parent is None:
            self.message.add_widget(self.message_goto)

    def _fold_subtitle(self, folded: bool) -> None:
        sub = self.subtitle
        sub.fixed_height = folded
        sub.opacity = 0 if folded else 1
        sub.height = 0 if folded else max(sub.texture_size[1], 1)

    def hide_error(self) -> None:
        if self.fold_subtitle:
            self._fold_subtitle(False)
        if self.message.parent:
            self.message.parent.remove_widget(self.message)
        self.message.goto = None
        self._tr.pop(id(self.message_goto), None)
        if self.message_goto.parent is not None:
            self.message.remove_widget(self.message_goto)
        self._tr.pop(id(self.message_text), None)
        self._tr.pop(id(self.message_next), None)
        self.message_text.text = self.message_next.text = ""
        self.message_kind = ""
