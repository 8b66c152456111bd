"""The few widgets every screen is built from: text, big buttons, tiles, panels.

All follow the theme (text size, high contrast) live, wrap their text to their width and grow
in height to fit it, so nothing is clipped at either orientation or in large-text mode.
"""

from __future__ import annotations

import weakref

from kivy.graphics import BindTexture, Color, Ellipse, Line, Rectangle, RoundedRectangle, ScissorPop, ScissorPush
from kivy.graphics.stencil_instructions import StencilPop, StencilPush, StencilUnUse, StencilUse
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.widgets import theme as th


class Text(Label):
    """Wrapped text whose height follows its content (``fixed_height`` to opt out)."""

    design_size = NumericProperty(th.FONT_BODY)
    role = StringProperty("text")  # palette attribute for the colour
    fixed_height = BooleanProperty(False)

    def __init__(self, text: str = "", size: float = th.FONT_BODY, role: str = "text", **kw):
        kw.setdefault("halign", "left")
        kw.setdefault("valign", "middle")
        super().__init__(text=text, **kw)
        self.design_size = size
        self.role = role
        self.size_hint_y = None if not self.fixed_height else self.size_hint_y
        t = th.get_theme()
        t.follow(text_scale=self._restyle, unit=self._restyle, high_contrast=self._restyle)
        self.bind(width=self._wrap, texture_size=self._fit, design_size=self._restyle, role=self._restyle)
        self._restyle()

    def _restyle(self, *_):
        t = th.get_theme()
        self.font_size = t.font(self.design_size)
        self.color = getattr(t.palette, self.role)
        # a disabled tile's text stays readable: its colour comes from the palette, not a fade
        self.disabled_color = self.color
        self.line_height = 1.15

    def _wrap(self, *_):
        self.text_size = (max(1, self.width), None)

    def _fit(self, *_):
        if not self.fixed_height:
            self.height = max(self.texture_size[1], 1)


def _extent(label, text: str, font_size: float) -> float:
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(font_size=font_size, font_name=label.font_name, bold=label.bold)
    return core.get_extents(text)[0]


def break_paths(text: str, fits) -> str:
    """``text`` with each path too wide for its line (``fits(piece)`` is False) broken into
    lines after its separators ('/'), as a technician reads a path: never inside a folder's
    name.  Kivy breaks lines at spaces only, and splits a longer word anywhere."""
    out = []
    for part in text.split(" "):
        if "/" not in part or "\n" in part or fits(part):
            out.append(part)
            continue
        pieces = [p + "/" for p in part.split("/")[:-1]] + [part.split("/")[-1]]
        lines, current = [], ""
        for piece in (p for p in pieces if p):
            if current and not fits(current + piece):
                lines.append(current)
                current = piece
            else:
                current += piece
        lines.append(current)
        out.append("\n".join(lines))
    return " ".join(out)


def wrap_paths(label) -> None:
    """Let ``label`` (a Text or BigButton) wrap a long path at its separators: the text it is
    given is kept, and what it shows gets a line break after the '/' where the line is full."""
    state = {"shown": None, "given": label.text}

    def redo(*_):
        if label.text != state["shown"]:
            state["given"] = label.text
        width = label.text_size[0] if label.text_size else None
        if not width:
            return
        shown = break_paths(state["given"], lambda s: _extent(label, s, label.font_size) <= width)
        state["shown"] = shown
        if shown != label.text:
            label.text = shown

    label.bind(text=redo, text_size=redo, font_size=redo)
    redo()


def keep_on_one_line(label, least: float = 0.5) -> None:
    """A code read character by character (a tracking code) never breaks: where its line is
    narrower than the code at the label's size (large text), its font is made smaller to fit,
    down to ``least`` of that size."""
    def redo(*_):
        full = th.get_theme().font(label.design_size)
        width = label.text_size[0] if label.text_size and label.text_size[0] else label.width
        needed = _extent(label, label.text, full) if label.text else 0
        size = full if needed <= width else max(full * least, full * width / needed * 0.97)
        if abs(label.font_size - size) > 0.5:
            label.font_size = size

    label.bind(text=redo, text_size=redo, font_size=redo, design_size=redo)
    redo()


# A wide outline is drawn as triangles: Kivy's defaults (round joints at each of 30 steps per
# corner) made about 40 triangles per step, and on a software renderer 24 keypad outlines took
# 15 ms a frame.  Mitred joints and 8 steps per corner look the same at these radii.
OUTLINE = {"joint": "miter", "cap": "none"}
CORNER_STEPS = 8


def rounded_outline(x: float, y: float, w: float, h: float, r: float) -> tuple:
    """``Line.rounded_rectangle`` for a box with corners of radius ``r``."""
    return (x, y, w, h, r, r, r, r, CORNER_STEPS)


class Panel(BoxLayout):
    """A box with a filled (optionally rounded) background from the palette."""

    role = StringProperty("surface")
    radius = NumericProperty(18)
    border_role = StringProperty("")

    def __init__(self, **kw):
        super().__init__(**kw)
        with self.canvas.before:
            self._color = Color()
            self._rect = RoundedRectangle()
            self._bcolor = Color(0, 0, 0, 0)
            self._border = Line(width=2, **OUTLINE)
        t = th.get_theme()
        t.follow(high_contrast=self._redraw, unit=self._redraw)
        self.bind(pos=self._redraw, size=self._redraw, role=self._redraw, border_role=self._redraw)
        self._redraw()

    def _redraw(self, *_):
        t = th.get_theme()
        self._color.rgba = getattr(t.palette, self.role)
        r = t.px(self.radius)
        self._rect.pos, self._rect.size, self._rect.radius = self.pos, self.size, [r] * 4
        if self.border_role or t.high_contrast:
            self._bcolor.rgba = getattr(t.palette, self.border_role or "text")
            self._border.width = 2
            self._border.rounded_rectangle = rounded_outline(*self.pos, *self.size, r)
        else:
            # No border: no points, and a hairline.  Kivy strokes a wide line whose colour is
            # not opaque through a stencil pass over the line's bounds, and an empty line's
            # bounds are the whole window: an invisible border cost a full-window stencil
            # pass per panel (about 8 ms each on Mesa's software renderer).
            self._bcolor.rgba = (0, 0, 0, 0)
            self._border.width = 1
            self._border.points = []


class InfoPanel(Panel):
    """Information, never an action: a pale surface with a coloured stripe on its left, no
    rounded outline and no button fill, so nobody mistakes it for a button (text on it uses
    the ``text`` or ``primary`` roles, not ``on_primary``)."""

    def __init__(self, **kw):
        kw.setdefault("role", "info")
        kw.setdefault("radius", 6)
        super().__init__(**kw)
        with self.canvas.before:
            self._stripe_color = Color()
            self._stripe = Rectangle()

    def _redraw(self, *_):
        super()._redraw()
        if not hasattr(self, "_stripe"):
            return
        t = th.get_theme()
        self._stripe_color.rgba = t.palette.primary
        self._stripe.pos, self._stripe.size = self.pos, (t.px(12), self.height)


def info_panel(pad: float = 28, spacing: float = 10, **kw) -> InfoPanel:
    """An information panel exactly as tall as its content (padding in design px; the left
    padding leaves room for the stripe)."""
    t = th.get_theme()
    box = InfoPanel(orientation="vertical", size_hint_y=None, padding=(t.px(pad + 12), t.px(pad), t.px(pad), t.px(pad)),
                    spacing=t.px(spacing), **kw)
    box.bind(minimum_height=box.setter("height"))
    return box


class WindowBackground:
    """The palette's background as the window's clear colour, following the theme.

    Clearing is the cheapest way to fill the window: a full-window rectangle under the bars and
    another under every screen cost two extra passes over 2 million pixels each frame, and on
    Mesa's software renderer each pass is several milliseconds.  Keep a reference to it."""

    def __init__(self):
        th.get_theme().follow(high_contrast=self.paint)
        self.paint()

    def paint(self, *_) -> None:
        from kivy.core.window import Window

        Window.clearcolor = th.get_theme().palette.background


class BigButton(ButtonBehavior, Label):
    """A large, high-contrast button: the only kind of button a citizen sees."""

    kind = StringProperty("primary")  # primary | secondary | danger | quiet
    design_size = NumericProperty(th.FONT_HEADING)
    min_height = NumericProperty(th.BUTTON_HEIGHT)
    action = ObjectProperty(None, allownone=True)
    # one of several choices: None for a plain button; False an empty ring on the left, True a
    # ring filled with a tick (the choice taken is marked by the tick, not only by a colour)
    selected = ObjectProperty(None, allownone=True)
    # a field's box: ``placeholder`` while it holds no value (muted, italic, lighter: never
    # mistaken for a value); ``problem`` when its value needs fixing (a thick red border)
    placeholder = BooleanProperty(False)
    problem = BooleanProperty(False)
    text_margin = NumericProperty(28)  # design px each side of the text (narrow keys use less)

    def __init__(self, text: str = "", action=None, kind: str = "primary", size: float = th.FONT_HEADING, **kw):
        kw.setdefault("halign", "center")
        kw.setdefault("valign", "middle")
        kw.setdefault("size_hint_y", None)
        super().__init__(text=text, **kw)
        self.kind = kind
        self.design_size = size
        self.action = action
        with self.canvas.before:
            self._bg = Color()
            self._rect = RoundedRectangle()
            self._edge = Color()
            self._line = Line(width=2, **OUTLINE)
        with self.canvas.after:
            self._mark_color = Color(0, 0, 0, 0)
            self._ring = Line(width=2)
            self._disc = Ellipse(size=(0, 0))
            self._tick_color = Color(0, 0, 0, 0)
            self._tick = Line(width=2, joint="miter", cap="none")
        t = th.get_theme()
        t.follow(text_scale=self._restyle, unit=self._restyle, high_contrast=self._restyle)
        self.bind(
            pos=self._redraw, size=self._redraw, state=self._redraw, disabled=self._restyle,
            kind=self._restyle, design_size=self._restyle, width=self._wrap, texture_size=self._fit,
            selected=self._restyle, placeholder=self._restyle, problem=self._restyle, text_margin=self._wrap,
        )
        self._restyle()

    def on_release(self):
        if self.action is not None:
            self.action()

    def _colors(self):
        p = th.get_theme().palette
        if self.disabled:
            return p.disabled, p.on_disabled, p.on_disabled
        return {
            "primary": (p.primary, p.on_primary, p.primary),
            "secondary": (p.surface, p.primary, p.primary),
            "danger": (p.error, p.on_primary, p.error),
            "quiet": (p.background, p.text, p.muted),
        }[self.kind]

    def _restyle(self, *_):
        t = th.get_theme()
        self.font_size = t.font(self.design_size)
        bg, fg, edge = self._colors()
        p = t.palette
        if self.placeholder and not self.disabled:
            fg = p.muted
        if self.problem and not self.disabled:
            edge = p.error
        self.color = fg
        self.disabled_color = fg
        self._bg.rgba = bg
        self._edge.rgba = edge
        self.bold = not self.placeholder
        self.italic = self.placeholder
        self._mark_color.rgba = fg if self.selected is not None else (0, 0, 0, 0)
        self._tick_color.rgba = bg if self.selected else (0, 0, 0, 0)
        self._wrap()
        self._fit()
        self._redraw()

    def _mark_room(self) -> float:
        """Width kept on the left for the choice ring (none for a plain button)."""
        return th.get_theme().px(84) if self.selected is not None else 0

    def _wrap(self, *_):
        pad = th.get_theme().px(self.text_margin)
        # centred text keeps clear of the ring on the left (and as far from the right edge)
        self.text_size = (max(1, self.width - 2 * (pad + self._mark_room())), None)

    def _fit(self, *_):
        t = th.get_theme()
        self.height = max(t.px(self.min_height), self.texture_size[1] + t.px(40))

    def _redraw(self, *_):
        t = th.get_theme()
        r = t.px(22)
        pressed = self.state == "down"
        inset = t.px(4) if pressed else 0
        self._rect.pos = (self.x + inset, self.y + inset)
        self._rect.size = (self.width - 2 * inset, self.height - 2 * inset)
        self._rect.radius = [r] * 4
        self._line.rounded_rectangle = rounded_outline(self.x, self.y, self.width, self.height, r)
        self._line.width = max(1.5, t.px(6 if self.problem else 3))
        if not self.selected:
            # hidden strokes: no points and a hairline (see Panel._redraw on wide see-through lines)
            self._tick.points, self._tick.width, self._disc.size = [], 1, (0, 0)
        if self.selected is None:
            self._ring.points, self._ring.width = [], 1
            return
        d = t.px(48)
        cx, cy = self.x + t.px(28) + d / 2, self.center_y
        self._ring.width = max(1.5, t.px(3))
        self._ring.circle = (cx, cy, d / 2)
        self._disc.pos, self._disc.size = (cx - d / 2, cy - d / 2), ((d, d) if self.selected else (0, 0))
        if self.selected:
            self._tick.width = max(1.5, t.px(4))
            self._tick.points = [cx - d * 0.24, cy, cx - d * 0.06, cy - d * 0.2, cx + d * 0.26, cy + d * 0.2]


def strip_stencil_clip(widget) -> list[tuple]:
    """Take out the stencil clips Kivy's style gives a widget (a StencilView, a ScreenManager,
    an Image): a push, a mask rectangle and a use before the clipped drawing, an unuse, the
    rectangle again and a pop after it.  Returns (group, index) where each half stood.

    A stencil clip draws its mask over the widget's whole area twice per frame and makes every
    drawing inside it a stencil-tested one; nested (a screen's scroll area inside the screen
    manager) that was most of the cost of a frame on a software renderer."""
    cuts = []
    for group in (widget.canvas.before, widget.canvas, widget.canvas.after):
        for first, last in ((StencilPush, StencilUse), (StencilUnUse, StencilPop)):
            kids = list(group.children)
            start = next((i for i, ins in enumerate(kids) if isinstance(ins, first)), None)
            if start is None:
                continue
            end = next(i for i, ins in enumerate(kids) if isinstance(ins, last))
            for ins in kids[start:end + 1]:
                if not isinstance(ins, BindTexture):  # a rectangle takes its texture binding with it
                    group.remove(ins)
            cuts.append((group, start))
    return cuts


class Picture(Image):
    """Kivy's Image without its stencil clip, for pictures that fit inside their box
    (``fit_mode`` contain or scale-down): there is nothing outside the box to cut off."""

    def __init__(self, **kw):
        kw.setdefault("fit_mode", "contain")
        if kw["fit_mode"] not in ("contain", "scale-down"):
            raise ValueError("a Picture fits inside its box: fit_mode contain or scale-down")
        super().__init__(**kw)
        strip_stencil_clip(self)


_SCROLLS: weakref.WeakSet[Scroll] = weakref.WeakSet()


def _place_scissors(*_) -> None:
    for scroll in list(_SCROLLS):
        scroll.place_scissor()


class Scroll(ScrollView):
    """Kivy's ScrollView, clipped with a scissor rectangle instead of a stencil, and without
    its binding leak.

    Clipping: a scissor box costs nothing per pixel, where the stencil drew a mask twice a
    frame.  The box is in window pixels, so it is placed again before each drawn frame (the
    scroll area moves with the screen, or inside another scroll area).

    Leak: every scroll update binds the bar's colour handler again, and the trigger that fades
    the bar half a second later unbinds it only once, so each scroll gesture left callbacks
    behind (about six per session in the bench, without end over a kiosk's life).  Here an
    update first drops the previous binding."""

    def __init__(self, **kw):
        super().__init__(**kw)
        (before, i), (after, j) = strip_stencil_clip(self)
        self._scissor = ScissorPush(pos=(0, 0), size=(0, 0))
        before.insert(i, self._scissor)
        after.insert(j, ScissorPop())
        if not _SCROLLS:
            from kivy.core.window import Window

            # bound handlers run before the window's own on_draw, which draws the frame
            Window.fbind("on_draw", _place_scissors)
        _SCROLLS.add(self)

    def place_scissor(self) -> None:
        if self.get_root_window() is None:
            return
        x, y = self.to_window(*self.pos)
        # the pixels whose centres fall inside the area, as a stencil mask would cover them
        x0, y0 = round(x), round(y)
        box = (x0, y0, round(x + self.width) - x0, round(y + self.height) - y0)
        if (*self._scissor.pos, *self._scissor.size) != box:
            self._scissor.pos = box[:2]
            self._scissor.size = box[2:]

    def update_from_scroll(self, *largs):
        self.funbind("bar_color", self._change_bar_color)
        super().update_from_scroll(*largs)


class Spacer(Widget):
    def __init__(self, height: float | None = None, **kw):
        if height is not None:
            kw.setdefault("size_hint_y", None)
            kw["height"] = th.get_theme().px(height)
        super().__init__(**kw)


def vbox(*children, spacing: float = 24, padding: float = 0, **kw) -> BoxLayout:
    t = th.get_theme()
    box = BoxLayout(orientation="vertical", spacing=t.px(spacing), padding=t.px(padding), **kw)
    for child in children:
        box.add_widget(child)
    return box


def hbox(*children, spacing: float = 24, padding: float = 0, **kw) -> BoxLayout:
    t = th.get_theme()
    box = BoxLayout(orientation="horizontal", spacing=t.px(spacing), padding=t.px(padding), **kw)
    for child in children:
        box.add_widget(child)
    return box


def content_panel(role: str = "surface", pad: float = 28, spacing: float = 10, **kw) -> Panel:
    """A vertical panel exactly as tall as its content (padding and spacing in design px)."""
    t = th.get_theme()
    box = Panel(orientation="vertical", size_hint_y=None, padding=t.px(pad), spacing=t.px(spacing), role=role, **kw)
    box.bind(minimum_height=box.setter("height"))
    return box


def fit_height(box: BoxLayout) -> BoxLayout:
    """Make a vertical box exactly as tall as its children (for use inside a ScrollView)."""
    box.size_hint_y = None
    box.bind(minimum_height=box.setter("height"))
    return box
