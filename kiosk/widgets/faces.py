"""The end-of-journey rating: five faces, then an optional reason, then thanks.

``FaceDrawing`` draws one face with the canvas (no emoji: Roboto has none).  ``FaceButton`` is a
face with its word under it ("very bad" … "very good"): the word, the shape of the mouth and
the colour each say the score, so nothing depends on colour alone.  ``RatingPanel`` is the
whole exchange; it only forwards taps to the core (``journeys.rating.rate(score)``, the first face
is final; ``journeys.rating.give_reason(key or None)`` sends it), which never makes the citizen wait.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.graphics import Color, Ellipse, Line
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Panel, Text, hbox

SCORES = (1, 2, 3, 4, 5)
# fill colour per score, red → green; the features are drawn in the dark text colour on all
# of them (contrast ≥ 4.5:1 against every fill)
FILLS = {1: "E35D5D", 2: "F29A4A", 3: "F2CF4A", 4: "9CCB5A", 5: "3FAE5F"}
# what a citizen can say after a face (message keys "rating.reason.<key>"), fitting the score
REASONS = {
    "bad": ("too_slow", "hard_to_understand", "device_problem"),
    "neutral": ("too_slow", "hard_to_understand", "needed_help"),
    "good": ("quick", "easy_to_use", "staff_helpful"),
}


def reasons_for(score: int) -> tuple[str, ...]:
    return REASONS["bad" if score <= 2 else "neutral" if score == 3 else "good"]


def _rgb(hex_: str) -> tuple:
    return tuple(int(hex_[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (1.0,)


class FaceDrawing(Widget):
    """A round face whose mouth curves with the score (1: deep frown … 5: broad smile)."""

    score = NumericProperty(3)

    def __init__(self, score: int, **kw):
        super().__init__(**kw)
        self.score = score
        with self.canvas:
            self._fill = Color(*_rgb(FILLS[score]))
            self._disc = Ellipse()
            self._ink = Color()
            self._rim = Line(width=2, cap="none", joint="miter")
            self._eye_l = Ellipse()
            self._eye_r = Ellipse()
            self._brow_l = Line(width=2, cap="round")
            self._brow_r = Line(width=2, cap="round")
            self._mouth = Line(width=3, cap="round", joint="round")
        th.get_theme().bind(high_contrast=self._redraw, unit=self._redraw)
        self.bind(pos=self._redraw, size=self._redraw)
        self._redraw()

    def _redraw(self, *_) -> None:
        d = max(1.0, min(self.width, self.height))
        cx, cy = self.center
        r = d / 2
        self._disc.pos, self._disc.size = (cx - r, cy - r), (d, d)
        self._ink.rgba = th.STANDARD.text  # dark features on every fill, in either theme
        self._rim.circle = (cx, cy, r - 1)
        self._rim.width = max(1.5, d * 0.025)
        e = d * 0.11
        for eye, sx in ((self._eye_l, -1), (self._eye_r, 1)):
            eye.pos = (cx + sx * d * 0.18 - e / 2, cy + d * 0.08)
            eye.size = (e, e * 1.25)
        m = self.score - 3  # -2 … 2
        # worried brows on the two unhappy faces
        if m < 0:
            tilt = d * 0.035 * -m
            y = cy + d * 0.27
            self._brow_l.points = [cx - d * 0.27, y, cx - d * 0.10, y + tilt]
            self._brow_r.points = [cx + d * 0.10, y + tilt, cx + d * 0.27, y]
        else:
            self._brow_l.points = self._brow_r.points = []
        self._brow_l.width = self._brow_r.width = max(1.5, d * 0.03)
        # the mouth: a parabola whose corners rise (smile) or fall (frown) with the score
        half, base, depth = d * 0.24, cy - d * 0.20, d * 0.075 * m
        points = []
        steps = 16
        for i in range(steps + 1):
            u = -1 + 2 * i / steps
            points += [cx + u * half, base + depth * (u * u - 0.5)]
        self._mouth.points = points
        self._mouth.width = max(2.0, d * 0.04)


class FaceButton(ButtonBehavior, Panel):
    """One face and its word; the whole box is the touch target (well over 100x100 px)."""

    chosen = BooleanProperty(False)

    def __init__(self, score: int, action: Callable[[int], None], face_size: float = 130, **kw):
        t = th.get_theme()
        super().__init__(orientation="vertical", padding=t.px(10), spacing=t.px(8), size_hint_y=None,
                         role="background", **kw)
        self.score = score
        self.action = action
        self.face_size = face_size
        self.drawing = FaceDrawing(score, size_hint_y=None, height=t.px(face_size))
        self.label = Text("", size=th.FONT_SMALL, halign="center", valign="top")
        self.add_widget(self.drawing)
        self.add_widget(self.label)
        self.add_widget(Widget())  # the face and its word stay at the top when a neighbour is taller
        self.bind(chosen=self._restyle, disabled=self._restyle)
        t.bind(unit=self._resize)
        self._resize()
        self._restyle()

    def _resize(self, *_) -> None:
        self.drawing.height = th.get_theme().px(self.face_size)

    def wanted_height(self) -> float:
        return max(self.minimum_height, th.get_theme().px(self.face_size + 60))

    def _restyle(self, *_) -> None:
        # the chosen face gets a frame and bold word; the others fade (their words stay legible)
        self.border_role = "primary" if self.chosen else ""
        self.role = "surface" if self.chosen else "background"
        self.label.bold = self.chosen
        self.drawing.opacity = 0.35 if (self.disabled and not self.chosen) else 1.0

    def on_release(self):
        if not self.disabled and self.action is not None:
            self.action(self.score)


class RatingPanel(BoxLayout):
    """Ask (five faces) → after a face, why (optional reason chips and "skip") → thanks.

    ``app`` gives ``t(key)`` and ``journeys.rating`` (``rate``, ``give_reason``, ``draft``); ``cols`` is
    how many reason chips stand side by side."""

    def __init__(self, app, *, cols: int = 2, face_size: float | None = None, **kw):
        t = th.get_theme()
        face_size = face_size or (100 if t.landscape else 130)
        super().__init__(orientation="vertical", spacing=t.px(18), size_hint_y=None, **kw)
        self.app = app
        self.core = app.core
        self.bind(minimum_height=self.setter("height"))
        # one line beside the other column in landscape, where the height is scarce
        self.question = Text("", size=th.FONT_BODY if t.landscape else th.FONT_HEADING, bold=True)
        self.faces = {s: FaceButton(s, self.choose, face_size=face_size) for s in SCORES}
        self.row = hbox(*self.faces.values(), spacing=12, size_hint_y=None)
        for f in self.faces.values():
            f.bind(minimum_height=lambda *_: self._fit_row())
        self._fit_row()
        self.chips = GridLayout(cols=cols, spacing=t.px(16), size_hint_y=None)
        self.chips.bind(minimum_height=self.chips.setter("height"))
        self.reason_buttons: dict[str, BigButton] = {}
        self.skip = BigButton("", action=lambda: self.give_reason(None), kind="quiet", size=th.FONT_BODY)
        self.skip.min_height = 110
        # plain words, not a coloured box: nothing that looks like one more button to tap
        self.thanks = Panel(orientation="vertical", size_hint_y=None, padding=t.px(28), role="background")
        self.thanks_text = Text("", size=th.FONT_HEADING, bold=True, role="ok", halign="center")
        self.thanks.add_widget(self.thanks_text)
        self.thanks.bind(minimum_height=self.thanks.setter("height"))
        self.state = ""
        self.reset()

    def _fit_row(self) -> None:
        """Every face as tall as the tallest (a word on two lines), so the faces line up."""
        height = max(f.wanted_height() for f in self.faces.values())
        for f in self.faces.values():
            f.height = height
        self.row.height = height

    # -- states -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Ready for the next citizen: the faces, nothing chosen."""
        for f in self.faces.values():
            f.chosen = False
            f.disabled = False
        self.chips.clear_widgets()
        self.reason_buttons = {}
        self.sync()

    def sync(self) -> None:
        """Show what the core holds for this journey (a face chosen, sent)."""
        r = self.app.journeys.rating.current
        if not r.given:
            state = "ask"
        elif r.sent:
            state = "thanks"
        else:
            state = "why"
        if r.given:
            for s, f in self.faces.items():
                f.chosen = s == r.score
                f.disabled = True
            if state == "why" and not self.reason_buttons:
                self._make_chips(r.score)
        self._show(state)

    def _make_chips(self, score: int) -> None:
        self.chips.clear_widgets()
        self.reason_buttons = {}
        for key in reasons_for(score):
            b = BigButton("", action=lambda k=key: self.give_reason(k), kind="secondary", size=th.FONT_BODY)
            b.min_height = 110
            self.reason_buttons[key] = b
            self.chips.add_widget(b)
        self.chips.add_widget(self.skip)

    def _show(self, state: str) -> None:
        self.state = state
        self.clear_widgets()
        if state == "thanks":
            self.add_widget(self.thanks)
        else:
            self.add_widget(self.question)
            self.add_widget(self.row)
            if state == "why":
                self.add_widget(self.chips)
        self.relabel()

    def relabel(self) -> None:
        t = self.app.t
        self.question.text = t("rating.why" if self.state == "why" else "rating.question")
        for s, f in self.faces.items():
            f.label.text = t(f"rating.face.{s}")
        for key, b in self.reason_buttons.items():
            b.text = t(f"rating.reason.{key}")
        self.skip.text = t("rating.skip")
        self.thanks_text.text = t("rating.thanks")

    # -- taps ---------------------------------------------------------------------------------

    def choose(self, score: int) -> None:
        """A face: the first one tapped is the rating (a second tap changes nothing)."""
        if self.app.journeys.rating.rate(score):
            self.reason_buttons = {}
        self.sync()

    def give_reason(self, key: str | None) -> None:
        self.app.journeys.rating.give_reason(key)
        self.sync()
