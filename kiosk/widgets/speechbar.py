"""A compact row of speech controls (ADA §707.5.1, EN 301 549 §5.1.3.4): "Nghe" speaks what the
screen shows (tapped again while speaking, it stops), "Nghe lại" repeats the last prompt, and
two volume buttons.  Each is a big target (≥ 110 design pixels tall).

The bar knows nothing about screens: it calls ``get_prompt()`` for the text to speak (a string,
or ``(text, lang)``) and ``get_lang()`` for the language, and drives a ``kiosk.speech.Speaker``.
When espeak-ng is missing the buttons are shown disabled.

    bar = SpeechBar(speaker, get_prompt=lambda: visible_text(screen), get_lang=lambda: "vi")
    bar.relabel()   # after a language switch

``install(app)`` wires all of it into the app (an EXTENSION).
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton


def _app_translate(key: str, **fmt) -> str:
    from kivy.app import App

    app = App.get_running_app()
    t = getattr(app, "t", None)
    return t(key, **fmt) if t is not None else key


def visible_text(root) -> str:
    """What a screen shows, in reading order (top to bottom, then left to right), one phrase a
    line: the default prompt for "Nghe" (EN 301 549 §5.1.3.1, ADA §707.5 "all displayed
    information").  Hidden widgets (opacity 0, disabled-and-empty, other screens) are skipped."""
    from kivy.uix.label import Label

    found = []
    stack = [(root, True)]
    while stack:
        widget, shown = stack.pop()
        shown = shown and getattr(widget, "opacity", 1) > 0
        if not shown:
            continue
        manager_child = hasattr(widget, "current_screen")
        for child in widget.children:
            if manager_child and child is not widget.current_screen:
                continue
            stack.append((child, shown))
        if isinstance(widget, Label) and widget.text.strip():
            x, y = widget.to_window(widget.x, widget.top)
            found.append((-round(y / 8), x, widget.text.strip()))
    lines, seen = [], set()
    for _y, _x, text in sorted(found):
        if text not in seen:
            seen.add(text)
            lines.append(text)
    return "\n".join(lines)


class SpeechBar(BoxLayout):
    def __init__(self, speaker, get_prompt: Callable[[], object], get_lang: Callable[[], str] | None = None,
                 translate: Callable[..., str] | None = None, listen_turns_speech_on: bool = False, **kw):
        t = th.get_theme()
        kw.setdefault("size_hint_y", None)
        kw.setdefault("padding", (t.px(24), t.px(8)))
        super().__init__(orientation="horizontal", spacing=t.px(16), **kw)
        self.speaker = speaker
        self.get_prompt = get_prompt
        self.get_lang = get_lang or (lambda: "vi")
        self.translate = translate or _app_translate
        self.listen_turns_speech_on = listen_turns_speech_on
        self.listen = BigButton("", action=self.on_listen, kind="primary", size=th.FONT_BODY, size_hint_x=2)
        self.again = BigButton("", action=self.on_repeat, kind="secondary", size=th.FONT_BODY, size_hint_x=2)
        self.quieter = BigButton("", action=self.on_quieter, kind="secondary", size=th.FONT_BODY, size_hint_x=1.5)
        self.louder = BigButton("", action=self.on_louder, kind="secondary", size=th.FONT_BODY, size_hint_x=1.5)
        self.buttons = (self.listen, self.again, self.quieter, self.louder)
        for b in self.buttons:
            b.min_height = 110
            b.disabled = not speaker.available
            b.bind(height=self._fit, texture_size=self._fit)
            self.add_widget(b)
        self._fit()
        self._watch = Clock.schedule_interval(self._poll, 0.5)
        self.relabel()

    # -- actions ------------------------------------------------------------------------------

    def on_listen(self) -> None:
        if self.speaker.speaking:
            self.speaker.stop()
        else:
            text, lang = self._prompt()
            if text:
                self.speaker.say(text, lang, force=True)
                if self.listen_turns_speech_on:
                    self.speaker.enabled = True  # the next screens are read as they appear
        self._relabel_listen()

    def on_repeat(self) -> None:
        if not self.speaker.repeat():
            self.on_listen()  # nothing said yet: say this screen
        self._relabel_listen()

    def on_quieter(self) -> None:
        self._announce(self.speaker.quieter())

    def on_louder(self) -> None:
        self._announce(self.speaker.louder())

    def relabel(self) -> None:
        self._relabel_listen()
        self.again.text = self.translate("speech.repeat")
        self.quieter.text = self.translate("speech.quieter")
        self.louder.text = self.translate("speech.louder")

    def close(self) -> None:
        self._watch.cancel()

    # -- internals ----------------------------------------------------------------------------

    def _prompt(self) -> tuple[str, str]:
        got = self.get_prompt()
        if isinstance(got, tuple):
            return (got[0] or ""), got[1]
        return (got or ""), self.get_lang()

    def _announce(self, volume: int) -> None:
        # the citizen hears the new volume at once
        self.speaker.say(self.translate("speech.volume_now", percent=volume), self.get_lang(), force=True,
                         remember=False)
        self._relabel_listen()

    def _relabel_listen(self) -> None:
        text = self.translate("speech.stop" if self.speaker.speaking else "speech.listen")
        for button in (self.listen, *getattr(self, "mirrors", ())):
            button.text = text

    def _poll(self, _dt) -> None:
        if self.parent is not None or self.listen.parent is not None:
            self._relabel_listen()

    def _fit(self, *_):
        t = th.get_theme()
        need = max(max(t.px(b.min_height), b.texture_size[1] + t.px(40)) for b in self.buttons)
        self.height = need + self.padding[1] + self.padding[3]
        for b in self.buttons:
            if b.height != need:
                b.height = need


def screen_prompt(app) -> str:
    """What "Nghe" reads: the open timeout dialog first, then the current screen (its own
    ``speech_prompt()`` when it has one, e.g. a PIN screen that must not read digits aloud,
    otherwise everything it shows)."""
    parts = []
    dialog = getattr(app, "timeout_dialog", None)
    if dialog is not None and dialog.parent is not None:
        parts.append(visible_text(dialog))
    screen = app.manager.current_screen
    own = getattr(screen, "speech_prompt", None)
    parts.append(own() if callable(own) else visible_text(screen))
    return "\n".join(p for p in parts if p)


class SpeechControls:
    """Everything ``install`` wired, so that it can be taken out again (tests)."""

    def __init__(self, app, speaker, bar):
        self.app, self.speaker, self.bar = app, speaker, bar
        self._pending = None
        self._active = True

    def on_screen(self, *_):
        """A new screen: stop what was being said; say the new one when speech is on (with the
        keypad in use its focus manager says it, keeping back what is personal)."""
        if not self._active or self._keypad_speaks():
            return
        self.speaker.stop()
        if self._pending is not None:
            self._pending.cancel()
        if self.speaker.enabled:
            # after the screen has laid out its texts
            self._pending = Clock.schedule_once(lambda dt: self.speak_now(), 0.3)

    def _keypad_speaks(self) -> bool:
        keypad = getattr(self.app, "keypad", None)
        return keypad is not None and keypad.active

    def speak_now(self) -> None:
        self._pending = None
        if self._active and self.speaker.enabled and not self._keypad_speaks():
            self.speaker.say(screen_prompt(self.app), self.app.translator.lang)

    def on_core(self, event, _value) -> None:
        if event == "reset" and self._active:
            if self._pending is not None:
                self._pending.cancel()
                self._pending = None
            self.speaker.reset()

    def remove(self) -> None:
        self._active = False
        self.app.manager.unbind(current=self.on_screen)
        if self._pending is not None:
            self._pending.cancel()
        self.bar.close()
        for widget in (self.bar, self.bar.listen, getattr(self, "attract_listen", None)):
            if widget is not None and widget.parent is not None:
                widget.parent.remove_widget(widget)
        keypad = getattr(self.app, "keypad", None)
        if keypad is not None:
            keypad.remove()
            self.app.keypad = None
        self.speaker.stop()


def install(app, speaker=None) -> SpeechControls:
    """EXTENSION (``kiosk.screens.EXTENSIONS.append(install)``): a speaker from kiosk.ini as
    ``app.speaker``, the speech bar above the navigation bar on every screen (the attract screen
    too, so that speech is found before anything else), screens spoken as they appear once
    speech is on, speech stopped on every screen change, and the speaker reset (silence,
    volume, last prompt forgotten) with every session."""
    from kiosk.speech import from_settings

    speaker = speaker or getattr(app, "speaker", None) or from_settings(app.settings)
    app.speaker = speaker
    bar = SpeechBar(speaker, get_prompt=lambda: screen_prompt(app), get_lang=lambda: app.translator.lang,
                    translate=app.t, listen_turns_speech_on=True)
    # "Listen" sits in the navigation bar on every screen; repeat and volume join it above the
    # navigation bar once speech is on, so a citizen who does not need speech loses no room.
    bar.remove_widget(bar.listen)
    bar.listen.unbind(height=bar._fit, texture_size=bar._fit)
    bar.buttons = (bar.again, bar.quieter, bar.louder)
    app.nav.add_extra(bar.listen)
    app.speech_bar = bar
    # the attract screen has no navigation bar: "Listen" sits beside its language buttons
    attract_listen = BigButton("", action=bar.on_listen, kind="primary", size=th.FONT_BODY)
    attract_listen.disabled = not speaker.available
    app.screen("attract").add_control(attract_listen)
    bar.mirrors = [attract_listen]

    def place(*_):
        frame = app.frame
        wanted = speaker.enabled and app.nav.parent is frame
        if wanted and bar.parent is None:
            frame.add_widget(bar, index=frame.children.index(app.nav) + 1)
        elif not wanted and bar.parent is not None:
            frame.remove_widget(bar)

    app.speech_bar_open = lambda: bar.parent is not None
    app.manager.bind(current=lambda *_: Clock.schedule_once(place, 0))
    bar.place = place
    Clock.schedule_interval(place, 0.5)
    controls = SpeechControls(app, speaker, bar)
    controls.attract_listen = attract_listen
    app.manager.bind(current=controls.on_screen)
    app.core.subscribe(controls.on_core)
    app.translator.subscribe(lambda _lang: bar.relabel() if controls._active else None)
    app.speech = controls
    # the tactile keypad (kiosk.widgets.focus): a focus ring and speech for use without sight
    from kiosk.widgets import focus

    app.keypad = focus.install(app, speaker)
    return controls
