"""Drives the real Kivy app in-process, frame by frame: for tests, screenshots and benchmarks.

The app runs on Kivy's own event loop, stepped here one frame at a time; touches go through
the window as real motion events (Kivy's ``UnitTestTouch``), so a tap reaches exactly the
widget a finger would.  Works under Xvfb or with SDL's offscreen driver (Mesa), never with
``SDL_VIDEODRIVER=dummy``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from kiosk.config import Settings


class UiTimeout(AssertionError):
    pass


class AppDriver:
    def __init__(self, settings: Settings, *, size: tuple[int, int] | None = None, **app_kw):
        from kiosk.app import build_app, prepare_kivy

        prepare_kivy(settings, size=size, fullscreen=False, headless=True)
        from kivy.base import EventLoop

        self.EventLoop = EventLoop
        # the same fade between screens as `kiosk run` (a fade that is running is what moved the
        # live app's screens 160 px down while the gallery, drawn without one, looked right);
        # only shorter, and every step waits for it to end, as a person does
        app_kw.setdefault("fade_seconds", 0.04)
        app_kw.setdefault("locked", True)
        self.app = build_app(settings, **app_kw)
        self.app._run_prepare()
        self.window = EventLoop.window
        self.frames(3)

    # -- time -------------------------------------------------------------------------------

    def frames(self, n: int = 1) -> None:
        for _ in range(n):
            self.EventLoop.idle()
        self.settle()

    def settle(self, timeout: float = 3.0) -> None:
        """Run frames until a screen change's fade has ended."""
        manager = getattr(self.app, "manager", None)
        end = time.monotonic() + timeout
        while manager is not None and manager.transition.is_active and time.monotonic() < end:
            self.EventLoop.idle()

    def advance(self, seconds: float) -> None:
        """Run the event loop for ``seconds`` of wall time."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.EventLoop.idle()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.EventLoop.idle()
            if predicate():
                self.frames(2)
                return
        raise UiTimeout(f"timed out after {timeout}s waiting for {what}; screen={self.app.current!r}, "
                        f"texts={self.texts()[:12]}")

    # -- looking ----------------------------------------------------------------------------

    @property
    def screen(self):
        return self.app.manager.current_screen

    def walk(self, root=None) -> Iterable:
        root = root or self.window
        stack = [root]
        while stack:
            widget = stack.pop()
            yield widget
            stack.extend(widget.children)

    def visible(self, widget) -> bool:
        w = widget
        while w is not None and w is not self.window:
            if getattr(w, "opacity", 1) == 0:
                return False
            parent = w.parent
            if parent is not None and hasattr(parent, "current_screen") and w is not parent.current_screen:
                return False  # a screen that is not the current one
            w = parent
        return True

    def labels(self):
        from kivy.uix.label import Label

        return [w for w in self.walk() if isinstance(w, Label) and w.text and self.visible(w)]

    def texts(self) -> list[str]:
        return [w.text for w in self.labels()]

    def find_text(self, text: str, exact: bool = False):
        for w in self.labels():
            if (w.text == text) if exact else (text in w.text):
                return w
        return None

    def has_text(self, text: str) -> bool:
        return self.find_text(text) is not None

    # -- touching ---------------------------------------------------------------------------

    def tap(self, widget, hold: float = 0.0) -> None:
        from kivy.tests.common import UnitTestTouch

        if widget is None:
            raise AssertionError("nothing to tap")
        self.frames(2)  # let the layout settle: a finger aims at where the button is now
        if not self.visible(widget):
            raise AssertionError(f"cannot tap an invisible widget: {getattr(widget, 'text', widget)!r}")
        if not self.reachable(widget):  # scrolled away: no finger reaches it
            raise AssertionError(f"cannot tap {getattr(widget, 'text', widget)!r}: its centre "
                                 f"{tuple(round(v) for v in widget.to_window(*widget.center))} is outside "
                                 f"the {self.window.size[0]}x{self.window.size[1]} window")
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(1)
        if hold:
            self.advance(hold)
        touch.touch_up()
        self.frames(2)

    def reachable(self, widget) -> bool:
        """The widget's centre is inside the window (not scrolled out of it)."""
        x, y = widget.to_window(*widget.center)
        w, h = self.window.size
        return 0 <= x < w and 0 <= y < h

    def tap_text(self, text: str, exact: bool = False) -> None:
        widget = self.find_text(text, exact=exact)
        if widget is None:
            raise AssertionError(f"no visible text {text!r}; screen={self.app.current!r}, texts={self.texts()}")
        self.tap(widget)

    def tap_xy(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(1)
        touch.touch_up()
        self.frames(2)

    # -- pictures and layout checks ---------------------------------------------------------

    def screenshot(self, path: str | Path) -> Path:
        """The whole window (screen and any open dialog) as a PNG."""
        self.frames(2)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        w, h = self.window.size
        from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels

        data = glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE)
        from PIL import Image

        image = Image.frombytes("RGBA", (w, h), bytes(data)).transpose(Image.FLIP_TOP_BOTTOM).convert("RGB")
        image.save(path)
        return path

    def layout_problems(self) -> list[str]:
        """Visible text that is clipped by its own box, runs off the window, or overlaps
        other text.  Labels inside a scroll view are checked against the scroll content."""
        from kivy.uix.scrollview import ScrollView

        problems: list[str] = []
        W, H = self.window.size
        groups: dict[int, list] = {}
        for label in self.labels():
            label.texture_update()
            tw, th_ = label.texture_size
            if label.shorten:
                tw = min(tw, label.width)
            if tw > label.width + 2 or th_ > label.height + 2:
                problems.append(f"clipped: {label.text[:40]!r} needs {tw:.0f}x{th_:.0f}, "
                                f"has {label.width:.0f}x{label.height:.0f}")
            broken = self._broken_word(label)
            if broken:
                problems.append(f"word broken across lines: {broken!r} in {label.text[:40]!r}")
            scroll = next((a for a in self._ancestors(label) if isinstance(a, ScrollView)), None)
            x0, y0 = label.to_window(label.x, label.y)
            x1, y1 = label.to_window(label.right, label.top)
            if scroll is None and (x0 < -1 or y0 < -1 or x1 > W + 1 or y1 > H + 1):
                problems.append(f"off-screen: {label.text[:40]!r} at ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f})")
            elif scroll is not None and self._must_fit(scroll):
                # a page that must fit (normal text size) shows all of itself: text outside the
                # page's own area (a column spilling under the status or navigation bar) is hidden
                sx0, sy0 = scroll.to_window(scroll.x, scroll.y)
                sx1, sy1 = scroll.to_window(scroll.right, scroll.top)
                if y0 < sy0 - 2 or y1 > sy1 + 2 or x0 < sx0 - 2 or x1 > sx1 + 2:
                    problems.append(f"outside its page: {label.text[:40]!r} at ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f})")
            # the ink of the text, not the whole box, is what must not overlap; labels are
            # compared with those that scroll with them (window coordinates move together)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            ink = (cx - min(tw, label.width) / 2, cy - min(th_, label.height) / 2,
                   cx + min(tw, label.width) / 2, cy + min(th_, label.height) / 2)
            groups.setdefault(id(scroll), []).append((label, ink))
        for boxes in groups.values():
            for i, (a, ra) in enumerate(boxes):
                for b, rb in boxes[i + 1:]:
                    if self._in_dialog(a) != self._in_dialog(b):
                        continue  # a dialog covers the screen behind it on purpose
                    overlap_w = min(ra[2], rb[2]) - max(ra[0], rb[0])
                    overlap_h = min(ra[3], rb[3]) - max(ra[1], rb[1])
                    if overlap_w > 3 and overlap_h > 3:
                        problems.append(f"overlap: {a.text[:30]!r} and {b.text[:30]!r}")
        for widget in self.walk():
            if isinstance(widget, ScrollView) and self._must_fit(widget) and self.visible(widget):
                content = widget.children[0] if widget.children else None
                needed = getattr(content, "minimum_height", 0) if content is not None else 0
                if needed > widget.height + 2:
                    problems.append(f"does not fit: the screen needs {needed:.0f} px, has {widget.height:.0f}")
        # key content is in view on arrival at every text size: in large text a page may
        # scroll, but never to reach the status, the documents list, the first field or the
        # primary button
        return problems + self.hidden_key_content()

    def key_widgets(self, screen=None) -> list[tuple[str, object]]:
        """What the screen declares it must show whole without scrolling (``key_content``: names
        of its attributes; a callable one is called; a list gives several), shown now."""
        screen = screen or self.screen
        found = []
        for name in getattr(screen, "key_content", ()):
            value = getattr(screen, name, None)
            if callable(value):
                value = value()
            for widget in (value if isinstance(value, list | tuple) else [value]):
                if widget is not None and widget.parent is not None and widget.get_root_window() is not None:
                    found.append((name, widget))
        return found

    def hidden_key_content(self) -> list[str]:
        """Key content of the current screen (the status, the documents list, the first field,
        the primary button: ``KioskScreen.key_content``) that is not wholly in view: outside
        the window, under the bars, or scrolled, even in part, out of a scroll area that
        holds it.  Under an open dialog the screen is not checked: the dialog covers it, and
        the citizen may have scrolled it to what opened the dialog (a date field far down)."""
        from kivy.uix.modalview import ModalView
        from kivy.uix.scrollview import ScrollView

        if any(isinstance(w, ModalView) for w in self.window.children):
            return []
        screen = self.screen
        problems = []
        sx0, sy0 = screen.to_window(screen.x, screen.y)
        sx1, sy1 = screen.to_window(screen.right, screen.top)
        for name, widget in self.key_widgets(screen):
            if not self.visible(widget):
                problems.append(f"key content hidden: {name} of {screen.name}")
                continue
            x0, y0 = widget.to_window(widget.x, widget.y)
            x1, y1 = widget.to_window(widget.right, widget.top)
            areas = [(sx0, sy0, sx1, sy1)]
            for a in self._ancestors(widget):
                if isinstance(a, ScrollView):
                    ax0, ay0 = a.to_window(a.x, a.y)
                    ax1, ay1 = a.to_window(a.right, a.top)
                    areas.append((ax0, ay0, ax1, ay1))
            for ax0, ay0, ax1, ay1 in areas:
                if x0 < ax0 - 2 or y0 < ay0 - 2 or x1 > ax1 + 2 or y1 > ay1 + 2:
                    what = getattr(widget, "text", "") or type(widget).__name__
                    problems.append(f"key content not in view: {name} ({what[:30]!r}) of {screen.name} at "
                                    f"({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f}), visible area "
                                    f"({ax0:.0f},{ay0:.0f})-({ax1:.0f},{ay1:.0f})")
                    break
        return problems

    def costly_drawing(self) -> list[str]:
        """Drawing that costs passes over whole areas every frame: stencil clips, off-screen
        framebuffers, and wide lines in a colour that is not opaque (Kivy strokes those
        through a stencil pass over the line's bounds, the whole window for a line without
        points).  The kiosk clips with scissor boxes and hides a border by emptying it."""
        from kivy.graphics import Color, Fbo, InstructionGroup, Line
        from kivy.graphics.instructions import Canvas
        from kivy.graphics.stencil_instructions import StencilPush

        problems: list[str] = []

        def look(group, owner: str, alpha: float) -> float:
            for ins in group.children:
                if isinstance(ins, Color):
                    alpha = ins.a
                elif isinstance(ins, StencilPush):
                    problems.append(f"stencil clip in {owner}")
                elif isinstance(ins, Fbo):
                    problems.append(f"off-screen framebuffer in {owner}")
                elif isinstance(ins, Line) and ins.width > 1 and alpha < 1:
                    problems.append(f"wide line in a see-through colour in {owner}")
                elif isinstance(ins, InstructionGroup) and not isinstance(ins, Canvas):
                    alpha = look(ins, owner, alpha)
            return alpha

        for widget in self.walk():
            # a widget's canvas holds its canvas.before and canvas.after, in drawing order
            look(widget.canvas, type(widget).__name__, 1.0)
        return sorted(set(problems))

    @staticmethod
    def _must_fit(widget) -> bool:
        must_fit = getattr(widget, "must_fit", False)
        return bool(must_fit() if callable(must_fit) else must_fit)

    def small_targets(self, minimum: float = 100) -> list[str]:
        """Visible, enabled touch targets smaller than ``minimum`` design pixels (100 px at
        1080x1920) either way.  A control meant for staff only, hidden on purpose (the
        discreet corner), says so with ``staff_only = True``."""
        from kivy.uix.behaviors import ButtonBehavior

        from kiosk.widgets import theme as th

        need = th.get_theme().px(minimum) - 1
        problems = []
        for widget in self.walk():
            if not isinstance(widget, ButtonBehavior) or widget.disabled or getattr(widget, "staff_only", False):
                continue
            if not self.visible(widget) or any(getattr(a, "staff_only", False) for a in self._ancestors(widget)):
                continue
            if widget.width < need or widget.height < need:
                what = getattr(widget, "text", "") or type(widget).__name__
                problems.append(f"small target: {what[:30]!r} is {widget.width:.0f}x{widget.height:.0f}")
        return problems

    @staticmethod
    def _broken_word(label) -> str | None:
        """A single word wider than the wrapping width: Kivy then splits it mid-word."""
        width = label.text_size[0] if label.text_size and label.text_size[0] else None
        if not width or label.shorten:
            return None
        core = label._label
        for word in label.text.split():
            if core.get_extents(word)[0] > width + 1:
                return word
        return None

    def _ancestors(self, widget):
        w = widget.parent
        while w is not None and w is not self.window:
            yield w
            w = w.parent

    def _in_dialog(self, widget) -> bool:
        from kivy.uix.modalview import ModalView

        return any(isinstance(a, ModalView) for a in self._ancestors(widget))

    def close(self) -> None:
        self.app.stop()
        self.frames(1)
