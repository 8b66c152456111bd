"""On-screen keyboards: no physical keyboard is needed anywhere.

``CodeKeyboard`` types dossier codes: a phone-style digit pad with the separators codes use,
and an alphabetical letter pad (easier than QWERTY for people who do not type).  ``digits_only``
gives the plain numeric pad for ID numbers and PINs.  The ``part-…`` modes type one part of a
code whose format is known (kiosk/journeys/lookup.py ``CodeEntry``): no separators (they are put
in), and letters only where the part has them, only the letters it can hold.  Keys are at least
120 design pixels.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, vbox

BACKSPACE = "⌫"
CLEAR = "clear"
DIGITS = [["1", "2", "3", "."], ["4", "5", "6", "-"], ["7", "8", "9", "/"], ["ABC", "0", BACKSPACE]]
PIN = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], [CLEAR, "0", BACKSPACE]]
LETTERS = [list("ABCDEFG"), list("HIJKLMN"), list("OPQRSTU"), list("VWXYZ.-"), ["123", "/", BACKSPACE]]
# landscape: the pad sits in a half-width column under a short screen, so four rows of eight
# (the separators are on the digit pad, where they fall in a code)
LETTERS_WIDE = [list("ABCDEFGH"), list("IJKLMNOP"), list("QRSTUVWX"), ["Y", "Z", "123", BACKSPACE]]
SPECIAL = ("ABC", "123", BACKSPACE, CLEAR)
# one part of a code of a known format: digits, with the letter key only where letters may go
PART_DIGITS = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["ABC", "0", BACKSPACE]]
PART_DIGITS_ONLY = PIN


def part_letters(letters: str, width: int) -> list[list[str]]:
    """The letters a part can hold, ``width`` to a row, then back to digits and backspace."""
    keys = [*letters, "123", BACKSPACE]
    return [keys[i:i + width] for i in range(0, len(keys), width)]


class CodeKeyboard(GridLayout):
    """Calls ``on_key(ch)`` with a character, ``BACKSPACE`` or ``CLEAR``."""

    def __init__(self, on_key: Callable[[str], None], mode: str = "digits", digits_only: bool = False,
                 label_for: Callable[[str], str] | None = None, key_size: float = th.KEY_SIZE,
                 part_letters: str = "", **kw):
        self.on_key = on_key
        self.part_letters = part_letters  # the letters the part-letters pad offers
        self.digits_only = digits_only
        self.label_for = label_for or (lambda k: k)
        self.key_size = max(100, key_size)  # never below 100 design pixels
        t = th.get_theme()
        super().__init__(cols=1, spacing=t.px(12), size_hint_y=None, **kw)
        self.bind(minimum_height=self.setter("height"))
        self.keys: dict[str, BigButton] = {}
        self.mode = ""
        self.set_mode("pin" if digits_only else mode)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.clear_widgets()
        self.keys.clear()
        t = th.get_theme()
        letters = LETTERS_WIDE if t.landscape else LETTERS
        if mode == "part-letters":
            rows = part_letters(self.part_letters, 6)  # four rows, like the landscape letter pad
        else:
            rows = {"digits": DIGITS, "letters": letters, "pin": PIN, "part-digits": PART_DIGITS,
                    "part-digits-only": PART_DIGITS_ONLY}[mode]
        width = max(len(r) for r in rows)
        # eight letters to a half-width row: a size smaller, so M and W keep clear of the edges
        glyph = th.FONT_HEADING if len(rows[0]) >= 8 else th.FONT_TITLE
        for row in rows:
            # the letter pad's last row: keys one column each, the control keys share the spare
            # columns (their words must not wrap)
            shared = mode == "letters" and len(row) < width
            if shared:
                grid = BoxLayout(spacing=t.px(12), size_hint_y=None, height=t.px(self.key_size))
                spare = (width - len(row)) / sum(1 for k in row if k in SPECIAL)
            else:
                grid = GridLayout(cols=width, spacing=t.px(12), size_hint_y=None)
                grid.bind(minimum_height=grid.setter("height"))
            for key in row:
                special = key in SPECIAL
                button = BigButton(
                    self.label_for(key), action=lambda k=key: self._press(k),
                    kind="secondary" if special else "quiet", size=glyph if not special else th.FONT_BODY,
                )
                button.min_height = self.key_size
                button.text_margin = 10  # keys are narrow: "123", "Xóa" fit in large text too
                button.key = key
                if shared:
                    button.size_hint_x = 1 + spare if special else 1
                self.keys[key] = button
                grid.add_widget(button)
            if len(row) < width and row is rows[-1] and not shared:
                # the last row of the digit pad: backspace takes the spare column
                for _ in range(width - len(row)):
                    grid.add_widget(vbox(size_hint_y=None, height=t.px(self.key_size)))
            self.add_widget(grid)

    def relabel(self) -> None:
        for key, button in self.keys.items():
            button.text = self.label_for(key)

    def _press(self, key: str) -> None:
        part = self.mode.startswith("part-")
        if key == "ABC":
            self.set_mode("part-letters" if part else "letters")
        elif key == "123":
            self.set_mode("part-digits" if part else "digits")
        else:
            self.on_key(key)
