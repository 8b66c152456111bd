"""On-screen Vietnamese keyboard: QWERTY letters with Telex/VNI composition done by
``kiosk.telex`` (Kivy has no IME), a digits/punctuation layer, and helper keys for people who do
not know Telex: the tones (á à ả ã ạ) and the letters ă â ê ô ơ ư đ, which change the last word.

The keyboard shows no text of its own: it keeps the text being edited in ``.text`` and hands
every new value (NFC) to ``on_change(new_text)``; the screen shows it in its own field.  Keys
are at least 100 design pixels (100 px at 1080x1920) when the keyboard gets at least 1040 design
pixels of width: in portrait give it the whole window width (not inside a padded column).  The
helper keys take one row where twelve keys of 100 design pixels fit (landscape, full width), two
otherwise.

    kb = VietnameseKeyboard(on_change=field_setter, text="", method="telex",
                            capitalize_words=True)   # names and addresses
    screen.body.add_widget(kb)
    kb.set_text("")       # when the screen clears or fills the field itself
    kb.set_suggestions(["Nguyễn", "Minh"])  # words offered above the keys (e.g. the names on the card)
    kb.relabel()          # from the screen's on_relabel(), after a language switch
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk import telex
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton

SHIFT, BACKSPACE, LAYER, METHOD, SPACE = "shift", "backspace", "layer", "method", "space"
TONE_KEYS = [("tone:acute", "á"), ("tone:grave", "à"), ("tone:hook", "ả"), ("tone:tilde", "ã"),
             ("tone:dot", "ạ")]
MARK_KEYS = [(f"mark:{ch}", ch) for ch in "ăâêôơưđ"]
LETTER_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
SYMBOL_ROWS = ["1234567890", "-/,.()@&#:", "+'?!_*;%"]
METHOD_CYCLE = ("telex", "vni", "off")
SUGGESTIONS = 3  # word suggestions shown at once, above the keys
# design-pixel key height per orientation; widths come from the row (ten units across)
KEY_HEIGHT = {False: 110, True: 100}
KEY_MARGIN = 6  # design pixels of a key's label margin
GAP = 4  # design pixels between keys: ten keys of 100 px fit 1040 px
LABEL_KEYS = {SPACE: "vnkeyboard.space", "method:telex": "vnkeyboard.method_telex",
              "method:vni": "vnkeyboard.method_vni", "method:off": "vnkeyboard.method_off"}
DEFAULT_LABELS = {"vnkeyboard.space": "Dấu cách", "vnkeyboard.method_telex": "Telex",
                  "vnkeyboard.method_vni": "VNI", "vnkeyboard.method_off": "Tắt dấu"}


def _app_translate(key: str) -> str:
    from kivy.app import App

    app = App.get_running_app()
    t = getattr(app, "t", None)
    return t(key) if t is not None else DEFAULT_LABELS.get(key, key)


class VietnameseKeyboard(BoxLayout):
    """Edits a string; calls ``on_change(new_text)`` after every key that changed it."""

    def __init__(self, on_change: Callable[[str], None], text: str = "", method: str = "telex",
                 style: str = "classic", capitalize_words: bool = False, max_length: int | None = None,
                 translate: Callable[[str], str] | None = None, helpers: bool = True, **kw):
        t = th.get_theme()
        kw.setdefault("size_hint_y", None)
        super().__init__(orientation="vertical", spacing=t.px(GAP * 2), **kw)
        self.on_change = on_change
        self.composer = telex.Composer(method, style)
        self.text = _nfc(text)
        self.capitalize_words = capitalize_words
        self.max_length = max_length
        self.translate = translate or _app_translate
        self.layer = "letters"
        self.shift = False
        self.caps_lock = False
        self.keys: dict[str, BigButton] = {}
        self.bind(minimum_height=self.setter("height"))
        t.follow(landscape=self._on_landscape)  # not bind(): an editor's keyboard must be freed
        self._one_helper_row = False
        self.bind(width=self._rearrange)
        self.helpers = helpers  # the tone and letter keys (a search that ignores accents needs none)
        self.vocabulary: list[str] = []
        self.suggestion_row = None  # a row of word suggestions above the keys, once there are words
        self._build()

    # -- public -------------------------------------------------------------------------------

    @property
    def method(self) -> str:
        return self.composer.method

    def set_method(self, method: str) -> None:
        self.composer.set_method(method)
        self._relabel_method()

    def set_text(self, text: str) -> None:
        """The screen changed the field itself (cleared it, filled it from the card)."""
        self.text = _nfc(text)
        self._relabel_letters()

    def relabel(self) -> None:
        for key, button in self.keys.items():
            button.text = self._label(key)

    def press(self, key: str) -> None:
        """What a tap on key ``key`` does (a key id from ``.keys``)."""
        if key == SHIFT:
            if not self.shift and not self.caps_lock and self._upper_next():
                # the next letter is a capital already (a name's word starts): a tap on the
                # Shift that shows "on" means more capitals, as in "HN"
                self.shift = self.caps_lock = True
            elif self.shift and not self.caps_lock:
                self.caps_lock = True
            elif self.caps_lock:
                self.shift = self.caps_lock = False
            else:
                self.shift = True
            self._relabel_letters()
            return
        if key == LAYER:
            self.layer = "symbols" if self.layer == "letters" else "letters"
            self._build()
            return
        if key == METHOD:
            i = METHOD_CYCLE.index(self.composer.method)
            self.set_method(METHOD_CYCLE[(i + 1) % len(METHOD_CYCLE)])
            return
        if key == BACKSPACE:
            self._edit(self.composer.backspace(self.text))
            return
        if key == SPACE:
            self._edit(self.composer.feed(self.text, " "))
            return
        if key.startswith("tone:"):
            self._edit(self.composer.tone(self.text, key.split(":", 1)[1]))
            return
        if key.startswith("word:"):
            self.suggest_tap(int(key.split(":", 1)[1]))
            return
        if key.startswith("mark:"):
            letter = key.split(":", 1)[1]
            self._edit(self.composer.letter(self.text, letter.upper() if self._upper_next() else letter))
            self._after_letter()
            return
        ch = key.upper() if (key.isalpha() and self._upper_next()) else key
        self._edit(self.composer.feed(self.text, ch))
        if key.isalpha():
            self._after_letter()

    # -- internals ----------------------------------------------------------------------------

    def _upper_next(self) -> bool:
        if self.shift or self.caps_lock:
            return True
        if self.capitalize_words:
            return not self.text or self.text[-1] in " -/,.("
        return False

    def _after_letter(self) -> None:
        if self.shift and not self.caps_lock:
            self.shift = False
        self._relabel_letters()

    def _edit(self, new: str) -> None:
        new = _nfc(new)
        if self.max_length is not None and len(new) > self.max_length and len(new) > len(self.text):
            return
        if new == self.text:
            return
        self.text = new
        self._relabel_letters()
        self.on_change(new)

    def _label(self, key: str) -> str:
        if key == SHIFT:
            return "AA" if self.caps_lock else ("A" if self.shift or self._upper_next() else "Aa")
        if key == BACKSPACE:
            return "⌫"
        if key == LAYER:
            return "123" if self.layer == "letters" else "ABC"
        if key == METHOD:
            return self.translate(LABEL_KEYS[f"method:{self.composer.method}"])
        if key == SPACE:
            return self.translate(LABEL_KEYS[SPACE])
        if key.startswith("tone:"):
            return dict(TONE_KEYS)[key]
        if key.startswith("mark:"):
            ch = key.split(":", 1)[1]
            return ch.upper() if self._upper_next() else ch
        if key.isalpha():
            return key.upper() if self._upper_next() else key
        return key

    def _relabel_letters(self) -> None:
        for key, button in self.keys.items():
            if key == SHIFT or key.startswith("mark:") or (len(key) == 1 and key.isalpha()):
                button.text = self._label(key)
        self._show_suggestions()

    # -- word suggestions ---------------------------------------------------------------------

    def set_suggestions(self, words) -> None:
        """Words (or several-word phrases) offered above the keys as the citizen types: those
        starting like the word being typed, accents or not; one tap puts the whole word in."""
        seen, out = set(), []
        for w in words or ():
            w = _nfc(str(w)).strip()
            if w and w.lower() not in seen:
                seen.add(w.lower())
                out.append(w)
        self.vocabulary = out
        if out and self.suggestion_row is None:
            self.suggestion_row = BoxLayout(orientation="horizontal", spacing=th.get_theme().px(GAP * 2),
                                            size_hint_y=None, height=th.get_theme().px(KEY_HEIGHT[False]))
            self.add_widget(self.suggestion_row, index=len(self.children))
        self._show_suggestions()

    def suggestions(self) -> list[str]:
        """The words offered now: those that continue the word being typed (all of them, in
        order, before the first letter of a word), not those already typed."""
        from kiosk.text import fold

        if not self.vocabulary:
            return []
        before, partial = telex.split_last_word(self.text)
        typed = {fold(w) for w in self.text.split()} if not partial else {fold(w) for w in before.split()}
        start = fold(partial)
        found = [w for w in self.vocabulary if fold(w).startswith(start) and fold(w) not in typed
                 and fold(w) != start]
        return found[:SUGGESTIONS]

    def suggest_tap(self, i: int) -> None:
        words = self.suggestions()
        if 0 <= i < len(words):
            before, _partial = telex.split_last_word(self.text)
            self._edit(before + words[i] + " ")

    def _show_suggestions(self) -> None:
        row = self.suggestion_row
        if row is None:
            return
        words = self.suggestions()
        row.clear_widgets()
        for k in list(self.keys):
            if k.startswith("word:"):
                del self.keys[k]
        for i, word in enumerate(words):
            b = BigButton(word, action=lambda i=i: self.press(f"word:{i}"), kind="primary", size=th.FONT_BODY)
            b.min_height = KEY_HEIGHT[False]
            b.key = f"word:{i}"
            self.keys[b.key] = b
            row.add_widget(b)
        for _ in range(SUGGESTIONS - len(words)):
            row.add_widget(Widget())

    def _relabel_method(self) -> None:
        if METHOD in self.keys:
            self.keys[METHOD].text = self._label(METHOD)

    def _build(self) -> None:
        t = th.get_theme()
        landscape = t.landscape
        self.clear_widgets()
        self.keys.clear()
        if self.suggestion_row is not None:
            self.add_widget(self.suggestion_row)
        rows: list[list[tuple[str, float]]] = []
        self._one_helper_row = self._wide_enough()
        if not self.helpers:
            pass
        elif self._one_helper_row:
            rows.append([(k, 1) for k, _ in TONE_KEYS] + [(k, 1) for k, _ in MARK_KEYS])
        else:
            rows.append([(k, 1) for k, _ in TONE_KEYS])
            rows.append([(k, 1) for k, _ in MARK_KEYS])
        if self.layer == "letters":
            rows.append([(k, 1) for k in LETTER_ROWS[0]])
            rows.append([(k, 1) for k in LETTER_ROWS[1]])
            rows.append([(SHIFT, 1.5)] + [(k, 1) for k in LETTER_ROWS[2]] + [(BACKSPACE, 1.5)])
        else:
            rows.append([(k, 1) for k in SYMBOL_ROWS[0]])
            rows.append([(k, 1) for k in SYMBOL_ROWS[1]])
            rows.append([(k, 1) for k in SYMBOL_ROWS[2]] + [(BACKSPACE, 2)])
        rows.append([(LAYER, 1.5), (METHOD, 2), (SPACE, 4), (",", 1), (".", 1.5)])
        height = KEY_HEIGHT[landscape]
        for row in rows:
            self.add_widget(self._row(row, height))
        self._show_suggestions()

    def _on_landscape(self, _theme, _value) -> None:
        self._build()

    def _wide_enough(self) -> bool:
        """The twelve helper keys fit one row only where each still gets 100 design pixels."""
        t = th.get_theme()
        return t.landscape and self.width >= t.px(len(TONE_KEYS + MARK_KEYS) * (100 + GAP))

    def _rearrange(self, *_) -> None:
        if self._wide_enough() != self._one_helper_row:
            self._build()

    def _row(self, keys: list[tuple[str, float]], height: float) -> BoxLayout:
        t = th.get_theme()
        row = BoxLayout(orientation="horizontal", spacing=t.px(GAP), size_hint_y=None, height=t.px(height))
        buttons = []
        for key, units in keys:
            special = key in (SHIFT, BACKSPACE, LAYER, METHOD, SPACE)
            helper = key.startswith(("tone:", "mark:"))
            if key in self.keys:  # "." on both the symbols layer and the bottom row
                continue
            button = BigButton("", action=lambda k=key: self.press(k),
                               kind="secondary" if (special or helper) else "quiet",
                               size=th.FONT_BODY if key in (METHOD, SPACE, LAYER, SHIFT) else th.FONT_HEADING,
                               size_hint_x=units)
            button.min_height = height
            if key == BACKSPACE:
                button.font_name = "DejaVuSans"  # Roboto has no ⌫
            # keys are narrow: a thin margin instead of a button's wide one, so that a large-text
            # letter still fits its key
            button.text_margin = KEY_MARGIN
            button.key = key
            button.text = self._label(key)
            self.keys[key] = button
            buttons.append(button)
            row.add_widget(button)

        def even(*_):
            # every key of a row as tall as the tallest *needs* to be (large text can wrap a
            # label): from the labels' sizes, never from heights raised here before
            need = max(max(t.px(b.min_height), b.texture_size[1] + t.px(40)) for b in buttons)
            if row.height != need:
                row.height = need
            for b in buttons:
                if b.height != need:
                    b.height = need

        for b in buttons:
            b.bind(height=even, texture_size=even)
        even()
        return row


def _nfc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text or "")
