"""Use without sight (EN 301 549 §5.1.3 non-visual access): a tactile keypad moves a focus ring
over the controls of whatever is shown, and speech reads the focused control and each new
screen's prompt.

A USB keypad arrives as key events on Kivy's window; kiosk.ini's [accessibility] key_* map
them to actions (``kiosk.config.KEYPAD_ACTIONS``): up/down move between rows, left/right to the
previous/next control in reading order, OK activates the control exactly as a tap does (Kivy's
``trigger_action``: on_press, then on_release), back is the navigation bar's back, help is
"Gọi nhân viên", repeat says the screen again, volume up/down change the speech volume.

What can be focused is generic: every enabled, visible ``ButtonBehavior`` of the current screen
and the bars around it, and every panel that takes the citizen somewhere when touched (a
``goto`` action: the error summary's "take me to the field", which OK runs as a touch does), in
reading order (top to bottom, then left to right); while a dialog (a ``ModalView``) is open,
only its controls.  A screen may put the ring on a control itself (``focus``): the error
summary when "Tiếp tục" found fields to fix, the field it takes the citizen to.  The ring
follows screen changes and dialogs: a new context is announced (its texts, then the focused
control), a control that went away hands the focus to the first one, and what a key press
changed (a typed digit, an error from the gateway) is spoken as it appears.

Privacy: the first key press of a session asks for the headset ("Hãy cắm tai nghe …", once)
and focuses the first control; OK confirms it.  Until then only texts that cannot be personal
are spoken: a screen's own catalog texts (registered with ``KioskScreen.tr``), a control's
label when it is a catalog text, and keyboard keys; a name, an ID number, an address, a
dossier's code, status or history is never spoken before the headset was confirmed.  The
session's end forgets the keypad mode, the headset and the ring.
"""

from __future__ import annotations

import logging
import re
import time
import weakref

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, InstructionGroup, Line
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView

from kiosk.widgets import theme as th

log = logging.getLogger(__name__)

SPEAK_CHANGES_FOR = 6.0  # seconds after a key press during which what changed on screen is spoken
_FILLER = re.compile(r"[\s_\-–—·•.,:;/]*")


def keymap(settings) -> dict[int, str]:
    """Key code → action, from kiosk.ini's [accessibility] key_* (``kiosk.config``)."""
    from kiosk.config import KEYPAD_ACTIONS

    acc = settings.accessibility
    return {code: action for action in KEYPAD_ACTIONS for code in getattr(acc, f"key_{action}", ())}


def _shown(widget, root) -> bool:
    """Visible on screen: no ancestor faded out, not on a screen that is not the current one."""
    w = widget
    while w is not None and w is not root:
        if getattr(w, "opacity", 1) == 0:
            return False
        parent = w.parent
        if parent is not None and hasattr(parent, "current_screen") and w is not parent.current_screen:
            return False
        if parent is w:
            return False
        w = parent
    return True


def _goes_to(widget) -> bool:
    """A panel that takes the citizen somewhere when touched: the error summary's "take me to
    the field" (``kiosk.screens.base.MessagePanel.goto``, set while it offers that)."""
    return not isinstance(widget, ButtonBehavior) and callable(getattr(widget, "goto", None))


def is_control(widget) -> bool:
    """What the keypad can focus and OK can activate: a button, or a panel with a ``goto``."""
    return isinstance(widget, ButtonBehavior) or _goes_to(widget)


def activate(widget) -> None:
    """What a tap on ``widget`` does: a button's own path (on_press, then on_release), a
    panel's ``goto``."""
    if isinstance(widget, ButtonBehavior):
        widget.trigger_action(duration=0)
    else:
        widget.goto()


def _walk(root):
    stack = [root]
    while stack:
        widget = stack.pop()
        yield widget
        manager = hasattr(widget, "current_screen")
        for child in widget.children:
            if manager and child is not widget.current_screen:
                continue
            if getattr(child, "opacity", 1) == 0:
                continue
            stack.append(child)


def reading_order(widgets) -> list:
    """Top to bottom, then left to right: a widget joins a row when its vertical middle lies
    within the row's first widget."""
    placed = []
    for w in widgets:
        x, y = w.to_window(w.x, w.y)
        placed.append((y + w.height / 2, x, y, y + w.height, w))
    placed.sort(key=lambda p: -p[0])
    rows: list[list] = []
    for item in placed:
        if rows and rows[-1][0][2] <= item[0] <= rows[-1][0][3]:
            rows[-1].append(item)
        else:
            rows.append([item])
    return [item[4] for row in rows for item in sorted(row, key=lambda p: p[1])]


class FocusRing:
    """A thick ring in the theme's accent colour (yellow in high contrast) around the focused
    control, with a thin ring of the background's colour inside it that parts it from the
    control's own fill; drawn over everything, dialogs included (the window's canvas.after)."""

    def __init__(self):
        self.group = InstructionGroup()
        self._outer_color, self._inner_color = Color(), Color()
        self._outer, self._inner = Line(width=1, joint="miter"), Line(width=1, joint="miter")
        for instruction in (self._outer_color, self._outer, self._inner_color, self._inner):
            self.group.add(instruction)
        self.shown = False
        self._box = None

    def show(self, box: tuple[float, float, float, float]) -> None:
        t = th.get_theme()
        if not self.shown:
            Window.canvas.after.add(self.group)
            self.shown = True
        key = (box, t.high_contrast, t.unit)
        if key == self._box:
            return
        self._box = key
        x, y, w, h = box
        outer_w, gap = t.px(7), t.px(5)
        self._outer_color.rgba = t.palette.accent
        self._inner_color.rgba = t.palette.background
        d = gap + outer_w
        self._outer.width = outer_w
        self._outer.rectangle = (x - d, y - d, w + 2 * d, h + 2 * d)
        self._inner.width = max(1.0, t.px(2.5))
        self._inner.rectangle = (x - gap / 2, y - gap / 2, w + gap, h + gap)

    def hide(self) -> None:
        if self.shown:
            Window.canvas.after.remove(self.group)
            self.shown = False
            self._box = None


class FocusManager:
    def __init__(self, app, speaker, keys: dict[int, str]):
        self.app = app
        self.speaker = speaker
        self.keys = dict(keys)
        self.ring = FocusRing()
        self.active = False  # a keypad key was pressed in this session
        self.headset = False  # the citizen confirmed the headset with OK
        self._target = None  # weakref to the focused control
        self._previous = None
        self._place = None  # where the focus lives: a dialog's id, or the current screen's name
        self._remembered: dict[object, weakref.ref] = {}  # per place: its focused control
        self._texts: tuple[str, ...] = ()
        self._changed_texts: tuple[str, ...] | None = None
        self._settle = 0  # frames to wait before announcing a new context
        self._last_key = 0.0
        self._tick_event = None
        self.spoken: list[str] = []  # what was said in this session (tests), cleared with it
        self._catalog_cache: dict[str, frozenset] = {}

    # -- wiring ---------------------------------------------------------------------------------

    def install(self) -> FocusManager:
        Window.bind(on_key_down=self.on_key_down)
        self.app.core.subscribe(self.on_core)
        return self

    def remove(self) -> None:
        Window.unbind(on_key_down=self.on_key_down)
        self.deactivate()

    def on_core(self, event, _value) -> None:
        if event == "reset":
            self.deactivate()

    def deactivate(self) -> None:
        self.active = self.headset = False
        self._target = self._place = None
        self._remembered.clear()
        self._texts, self._changed_texts = (), None
        self.spoken = []
        self.ring.hide()
        if self._tick_event is not None:
            self._tick_event.cancel()
            self._tick_event = None

    # -- keys -----------------------------------------------------------------------------------

    def on_key_down(self, _window, key, _scancode=None, _codepoint=None, modifiers=None, *_args) -> bool:
        action = self.keys.get(key)
        if action is None or set(modifiers or ()) & {"ctrl", "alt", "meta"}:
            return False
        self.app.core.idle.touch()  # a key press is the citizen at the kiosk, as a touch is
        self._last_key = time.monotonic()
        if not self.active:
            self.activate()
            return True
        handler = getattr(self, f"do_{action}")
        handler()
        return True

    def activate(self) -> None:
        """The first key press: the ring on the first control, the headset asked for."""
        self.active = True
        self._tick_event = Clock.schedule_interval(self._tick, 0)
        context = self.context()
        self._place = self.place(context)
        controls = self.controls(context)
        self._set_target(controls[0] if controls else None, scroll=True)
        self._texts = self.texts(context)
        self.say(self.app.t("keypad.headset"))

    def do_ok(self) -> None:
        if not self.headset:
            self.headset = True
            self.announce(prefix=self.app.t("keypad.headset_ok"))
            return
        target = self.target()
        if target is None or not self.focusable(target, self.context()):  # gone or turned off since
            self.announce()
            return
        activate(target)  # the tap's own path: on_press then on_release, or the panel's goto

    def do_down(self) -> None:
        self._move_row(+1)

    def do_up(self) -> None:
        self._move_row(-1)

    def do_right(self) -> None:
        self._move(+1)

    def do_left(self) -> None:
        self._move(-1)

    def do_back(self) -> None:
        back = getattr(getattr(self.app, "nav", None), "back", None)
        if isinstance(self.context(), ModalView) or back is None or back.parent is None:
            self.announce()
            return
        if back.disabled:
            self.say(self.app.t("keypad.no_back"))
            return
        back.trigger_action(duration=0)

    def do_help(self) -> None:
        self.app.call_staff()

    def do_repeat(self) -> None:
        self.announce()

    def do_volume_up(self) -> None:
        self.say(self.app.t("speech.volume_now", percent=self.speaker.louder()), remember=False)

    def do_volume_down(self) -> None:
        self.say(self.app.t("speech.volume_now", percent=self.speaker.quieter()), remember=False)

    # -- what can be focused ------------------------------------------------------------------

    def context(self):
        """The topmost open dialog, else the app's whole window content."""
        for child in Window.children:  # the first child is drawn last: the topmost
            if isinstance(child, ModalView):
                return child
        return self.app.root_layout

    def place(self, context) -> object:
        return ("dialog", id(context)) if isinstance(context, ModalView) else ("screen", self.app.current)

    def focusable(self, widget, context) -> bool:
        return (is_control(widget) and not getattr(widget, "disabled", False) and widget.width > 1
                and widget.height > 1 and _shown(widget, context) and self._inside(widget, context))

    @staticmethod
    def _inside(widget, context) -> bool:
        w = widget
        while w is not None:
            if w is context:
                return True
            w = w.parent if w.parent is not w else None
        return False

    def controls(self, context=None) -> list:
        context = context or self.context()
        found = []
        for widget in _walk(context):
            if is_control(widget) and self.focusable(widget, context):
                found.append(widget)
        return reading_order(found)

    def focus(self, widget, lead=()) -> bool:
        """Put the ring on ``widget`` for the screen (the error summary once "Tiếp tục" found
        fields to fix; the field that summary takes the citizen to) and say it, after the texts
        of the labels in ``lead`` (the field's name and its problem; before the headset only
        those that cannot be personal).  Nothing happens unless the keypad is in use; whether
        the ring went there."""
        context = self.context()
        if not self.active or widget is None or not self.focusable(widget, context):
            return False
        self._place = self.place(context)
        self._settle = 0
        self._set_target(widget)
        said = [label.text.strip() for label in lead if label.text.strip()
                and (self.headset or self.public(label, control=True))]
        self._texts, self._changed_texts = self.texts(context), None  # said here: not again as a change
        self.say("\n".join([*said, self.describe(widget)]))
        return True

    def target(self):
        return self._target() if self._target is not None else None

    def _set_target(self, widget, scroll: bool = True) -> None:
        self._target = weakref.ref(widget) if widget is not None else None
        if self._place is not None and widget is not None:
            self._remembered[self._place] = self._target
        if widget is not None and scroll:
            self._scroll_into_view(widget)
        self._draw()

    def _move(self, step: int) -> None:
        controls = self.controls()
        if not controls:
            self.announce()
            return
        target = self.target()
        i = controls.index(target) if target in controls else (-1 if step > 0 else 0)
        self._focus(controls[(i + step) % len(controls)])

    def _move_row(self, step: int) -> None:
        """To the row above or below, to the control nearest the focused one's middle."""
        controls = self.controls()
        target = self.target()
        if not controls or target not in controls:
            self._move(step)
            return
        rows = self._rows(controls)
        r = next(n for n, row in enumerate(rows) if target in row)
        row = rows[(r + step) % len(rows)]
        cx = target.to_window(*target.center)[0]
        self._focus(min(row, key=lambda w: abs(w.to_window(*w.center)[0] - cx)))

    @staticmethod
    def _rows(controls) -> list[list]:
        rows: list[list] = []
        for w in controls:
            _x, y = w.to_window(w.x, w.y)
            middle = y + w.height / 2
            if rows:
                first = rows[-1][0]
                _fx, fy = first.to_window(first.x, first.y)
                if fy <= middle <= fy + first.height:
                    rows[-1].append(w)
                    continue
            rows.append([w])
        return rows

    def _focus(self, widget) -> None:
        self._set_target(widget)
        self.say(self.describe(widget))

    def _scroll_into_view(self, widget) -> None:
        parent = widget.parent
        while parent is not None and parent is not parent.parent:
            if isinstance(parent, ScrollView) and parent.children:
                try:
                    parent.scroll_to(widget, padding=th.get_theme().px(24), animate=False)
                except Exception:  # a widget not (yet) inside the scrolled content
                    log.debug("focus: could not scroll to the control", exc_info=True)
            parent = parent.parent

    # -- the ring -------------------------------------------------------------------------------

    def _draw(self) -> None:
        target = self.target()
        if not self.active or target is None or target.parent is None:
            self.ring.hide()
            return
        x, y = target.to_window(target.x, target.y)
        self.ring.show((x, y, target.width, target.height))

    def _tick(self, _dt) -> None:
        """Each frame while the keypad is in use: the ring follows its control, a new screen or
        dialog is announced once it has settled, a control that went away hands over the focus,
        and what a key press changed on screen is spoken."""
        if not self.active:
            return
        manager = getattr(self.app, "manager", None)
        if manager is not None and manager.transition.is_active:
            self.ring.hide()
            return
        context = self.context()
        place = self.place(context)
        if place != self._place:
            self._previous, self._place = self._place, place
            self._settle = 2
            self.ring.hide()
            return
        if self._settle:
            self._settle -= 1
            if not self._settle:
                self._enter_context(context)
            return
        target = self.target()
        if target is None or not self.focusable(target, context):
            controls = self.controls(context)
            self._set_target(controls[0] if controls else None)
            self._texts = self.texts(context)
            self.announce()
            return
        self._draw()
        self._speak_changes(context)

    def _enter_context(self, context) -> None:
        """A new screen or dialog: its first control, and the whole prompt said; back from a
        dialog: what was focused before it opened (and only that said)."""
        controls = self.controls(context)
        remembered = self._remembered.get(self._place)
        widget = remembered() if remembered is not None else None
        self._texts = self.texts(context)
        back_from_dialog = self._previous is not None and self._previous[0] == "dialog"
        if back_from_dialog and widget is not None and widget in controls and not isinstance(context, ModalView):
            self._set_target(widget)
            self.say(self.describe(widget))
            return
        self._set_target(controls[0] if controls else None)
        self.announce()

    def _speak_changes(self, context) -> None:
        texts = self.texts(context)
        if texts == self._texts:
            self._changed_texts = None
            return
        if texts != self._changed_texts:  # wait one frame for the texts to stop changing
            self._changed_texts = texts
            return
        before = set(self._texts)
        self._texts, self._changed_texts = texts, None
        if time.monotonic() - self._last_key > SPEAK_CHANGES_FOR:
            return  # a clock's tick, not the citizen's doing: not spoken over what they listen to
        new = [text for text in texts if text not in before and not _FILLER.fullmatch(text)]
        if new:
            self.say("\n".join(new))

    # -- what is said ---------------------------------------------------------------------------

    def texts(self, context=None, public_only: bool | None = None) -> tuple[str, ...]:
        """The texts of ``context`` that are not on a control, in reading order (before the
        headset was confirmed: only those that cannot be personal)."""
        context = context or self.context()
        gate = (not self.headset) if public_only is None else public_only
        bar = getattr(self.app, "status_bar", None)  # the post office's name and the clock
        labels = [w for w in _walk(context) if isinstance(w, Label) and not isinstance(w, ButtonBehavior)
                  and w.text.strip() and not _FILLER.fullmatch(w.text) and not self._on_control(w, context)
                  and not (bar is not None and self._inside(w, bar))]
        out, seen = [], set()
        for label in reading_order(labels):
            text = label.text.strip()
            if text in seen or (gate and not self.public(label, control=False)):
                continue
            seen.add(text)
            out.append(text)
        return tuple(out)

    @staticmethod
    def _on_control(widget, context) -> bool:
        w = widget.parent
        while w is not None and w is not context:
            if isinstance(w, ButtonBehavior):
                return True
            w = w.parent if w.parent is not w else None
        return False

    def describe(self, widget) -> str:
        """What the focused control says: its label (and "button"); before the headset only
        when its label cannot be personal."""
        if widget is None:
            return ""
        labels = [widget] if isinstance(widget, Label) else [w for w in _walk(widget) if isinstance(w, Label)]
        labels = [w for w in reading_order([w for w in labels if w.text.strip()])] if len(labels) > 1 else labels
        if not self.headset and not all(self.public(w, control=True) for w in labels):
            return self.app.t("keypad.hidden")
        text = ". ".join(w.text.strip() for w in labels if w.text.strip())
        return self.app.t("keypad.button", label=text) if text else self.app.t("keypad.hidden")

    def prompt(self, context=None) -> str:
        context = context or self.context()
        return "\n".join(self.texts(context))

    def announce(self, prefix: str = "") -> None:
        """The prompt of what is shown, then the focused control."""
        context = self.context()
        self._texts, self._changed_texts = self.texts(context), None
        parts = [prefix, "\n".join(self._texts), self.describe(self.target())]
        self.say("\n".join(p for p in parts if p))

    def say(self, text: str, remember: bool = True) -> None:
        if not text:
            return
        self.spoken.append(text)
        self.speaker.say(text, self.app.translator.lang, force=True, remember=remember)

    # -- what may be said before the headset --------------------------------------------------

    def public(self, label, control: bool) -> bool:
        """A text that cannot be personal: a screen's catalog text registered with ``tr``, a
        keyboard key, or (on a control, or outside screens: bars and dialogs) a catalog text.
        A screen's other texts (a dossier's status, a name) are the citizen's."""
        text = label.text.strip()
        screen = self._screen_of(label)
        if screen is not None:
            entry = getattr(screen, "_tr", {}).get(id(label))
            if entry is not None and entry[0] is label:
                return True
            if self._is_key(label):
                return True
            if not control:
                return False
        return text in self._catalog_texts()

    @staticmethod
    def _screen_of(widget, default=None):
        w = widget
        while w is not None:
            if hasattr(w, "_tr") and hasattr(w, "title_key"):
                return w
            w = w.parent if w.parent is not w else None
        return default

    @staticmethod
    def _is_key(widget) -> bool:
        w = widget.parent
        while w is not None:
            keys = getattr(w, "keys", None)
            if isinstance(keys, dict) and any(v is widget for v in keys.values()):
                return True
            w = w.parent if w.parent is not w else None
        return False

    def _catalog_texts(self) -> frozenset:
        lang = self.app.translator.lang
        if lang not in self._catalog_cache:
            from kiosk.i18n import LANGUAGES

            texts = set()
            for code in LANGUAGES:
                for key in self.app.translator.keys(code):
                    value = self.app.translator.t(key, lang=code)
                    if "{" not in value:
                        texts.add(value.strip())
            self._catalog_cache[lang] = frozenset(texts)
        return self._catalog_cache[lang]


def install(app, speaker) -> FocusManager | None:
    """The keypad and its focus ring for ``app`` (called by the speech extension, which owns the
    speaker); None when kiosk.ini turns the keypad off."""
    if not app.settings.accessibility.keypad:
        return None
    return FocusManager(app, speaker, keymap(app.settings)).install()
