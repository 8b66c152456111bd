"""Telex and VNI composition of Vietnamese text, done by the kiosk itself (Kivy has no IME).

``compose(text, key, method)`` takes the text before the cursor and one key and returns the new
text.  Only the last word is ever changed; everything before it is kept exactly as it was.  The
result is always NFC (precomposed letters), which is what ID cards, the gateway and the fonts
expect.

Telex: ``s f r x j`` put the sắc, huyền, hỏi, ngã, nặng tone on the word, ``z`` removes it;
``aa ee oo`` give ``â ê ô``; ``w`` gives ``ă ơ ư`` (``uo`` + ``w`` → ``ươ``; ``w`` with no vowel
→ ``ư``); ``dd`` → ``đ``.  VNI: ``1``–``5`` tones, ``0`` removes the tone, ``6`` circumflex,
``7`` horn, ``8`` breve, ``9`` ``đ``.

The same modifier twice undoes it and types the key itself (``aaa`` → ``aa``, ``ass`` → ``as``),
as Unikey does.  A modifier that would not give a Vietnamese syllable (English words, codes,
"TP", "HCM") is typed as a plain letter, so mixed text stays typeable.

Tone placement.  The *classic* style (the default) puts the tone of ``oa oe uy`` without a final
consonant on the first vowel: ``hòa``, ``khỏe``, ``thủy``; this is what Unikey and most of the
Vietnamese public administration's data (names on the citizen ID card, addresses) use.  The
*new* style (``style="new"``; the "kiểu mới" of the school textbooks) puts it on the second:
``hoà``, ``khoẻ``, ``thuỷ``.  Both are correct Vietnamese; search uses ``kiosk.text.fold`` which
ignores tones anyway.  Every other placement is the same in both styles: a vowel with a hat or
horn takes the tone (``ươ`` → on ``ơ``), a syllable with a final consonant puts it on the last
vowel, three vowels put it on the middle one, two vowels with nothing after on the first.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from kiosk.text import nfc

METHODS = ("telex", "vni", "off")
STYLES = ("classic", "new")
BACKSPACE = "\b"

# tone numbers: 0 none, 1 sắc, 2 huyền, 3 hỏi, 4 ngã, 5 nặng
TONE_MARKS = {1: "\u0301", 2: "\u0300", 3: "\u0309", 4: "\u0303", 5: "\u0323"}
_MARK_TONE = {v: k for k, v in TONE_MARKS.items()}
TONE_NAMES = {"acute": 1, "grave": 2, "hook": 3, "tilde": 4, "dot": 5, "none": 0}

TELEX_TONES = {"s": 1, "f": 2, "r": 3, "x": 4, "j": 5, "z": 0}
VNI_TONES = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "0": 0}

VOWELS = set("aăâeêioôơuưy")
_STRIP = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u"}
_HATTED = {"ă", "â", "ê", "ô", "ơ", "ư"}

ONSETS = {"", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
          "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"}
CODAS = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}
STOP_CODAS = {"c", "ch", "p", "t"}

# Vowel nuclei of Vietnamese syllables (glides included), with their hats.
NUCLEI = (
    "a ă â e ê i o ô ơ u ư y "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "iêu yêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu"
).split()


def _partial_forms() -> set[str]:
    """Every nucleus with any of its hats not typed yet: what a cluster looks like mid-word."""
    out: set[str] = set()
    for n in NUCLEI:
        forms = [""]
        for ch in n:
            options = {ch, _STRIP.get(ch, ch)}
            if ch == "ô":
                options.add("ơ")  # "ow" then "o": the circumflex replaces the horn
            if ch == "ơ":
                options.add("ô")
            forms = [f + o for f in forms for o in options]
        out.update(forms)
    return out


CLUSTERS = _partial_forms()


# -- letters -----------------------------------------------------------------------------------

@dataclass
class Word:
    """A word as lower-case letters (hats kept, tone removed), their case, and one tone."""

    letters: list[str]
    upper: list[bool]
    tone: int = 0

    @classmethod
    def parse(cls, text: str) -> Word | None:
        letters, upper, tone = [], [], 0
        for ch in text:
            decomposed = unicodedata.normalize("NFD", ch)
            marks = [c for c in decomposed if c in _MARK_TONE]
            if marks:
                if tone or len(marks) > 1:
                    return None  # two tones in one word: not something we compose
                tone = _MARK_TONE[marks[0]]
            base = nfc("".join(c for c in decomposed if c not in _MARK_TONE))
            letters.append(base.lower())
            upper.append(base != base.lower())
        return cls(letters, upper, tone)

    def copy(self) -> Word:
        return Word(list(self.letters), list(self.upper), self.tone)


@dataclass
class Syllable:
    onset: str
    start: int  # index of the first vowel of the cluster
    cluster: str
    coda: str


def split(letters: list[str]) -> Syllable | None:
    """Onset, vowel cluster and final consonant of a (possibly unfinished) syllable, or None."""
    s = "".join(letters)
    i = 0
    while i < len(s) and s[i] not in VOWELS:
        i += 1
    onset = s[:i]
    if onset == "g" and s[i:i + 1] == "i" and i + 1 < len(s) and s[i + 1] in VOWELS:
        onset, i = "gi", i + 1
    elif onset == "q" and s[i:i + 1] == "u":
        onset, i = "qu", i + 1
    j = i
    while j < len(s) and s[j] in VOWELS:
        j += 1
    cluster, coda = s[i:j], s[j:]
    if onset not in ONSETS or coda not in CODAS:
        return None
    if any(ch in VOWELS for ch in coda):
        return None
    if cluster and cluster not in CLUSTERS:
        return None
    if not cluster and coda:
        return None
    return Syllable(onset, i, cluster, coda)


def tone_index(syl: Syllable, style: str = "classic") -> int:
    """Index in the word of the vowel that carries the tone."""
    c = syl.cluster
    if len(c) == 1:
        return syl.start
    hatted = [k for k, ch in enumerate(c) if ch in _HATTED]
    if hatted:
        return syl.start + hatted[-1]
    if len(c) == 3:
        return syl.start + 1
    if syl.coda:
        return syl.start + len(c) - 1
    if style == "new" and c in ("oa", "oe", "uy"):
        return syl.start + 1
    return syl.start


def valid(word: Word) -> bool:
    syl = split(word.letters)
    if syl is None:
        return False
    if word.tone and not syl.cluster:
        return False
    if syl.coda in STOP_CODAS and word.tone not in (0, 1, 5):
        return False
    return True


def render(word: Word, style: str = "classic") -> str:
    letters = list(word.letters)
    syl = split(letters)
    if syl is not None:
        # "uơ" is only a whole syllable on its own (thuở, huơ): with anything after it, it is "ươ"
        k = syl.cluster.find("uơ")
        if k >= 0 and syl.onset != "qu" and (k + 2 < len(syl.cluster) or syl.coda):
            letters[syl.start + k] = "ư"
            syl = split(letters)
    out = []
    at = tone_index(syl, style) if (syl is not None and word.tone and syl.cluster) else -1
    for k, (ch, up) in enumerate(zip(letters, word.upper, strict=True)):
        if k == at:
            ch = nfc(ch + TONE_MARKS[word.tone])
        out.append(ch.upper() if up else ch)
    return nfc("".join(out))


# -- modifiers ---------------------------------------------------------------------------------

_CIRCUMFLEX = {"a": "â", "ă": "â", "e": "ê", "o": "ô", "ơ": "ô"}
_UNCIRCUMFLEX = {"â": "a", "ê": "e", "ô": "o"}
_BREVE = {"a": "ă", "â": "ă"}
_HORN = {"o": "ơ", "ô": "ơ", "u": "ư"}
_UNMARK = {"ă": "a", "ơ": "o", "ư": "u"}
_FAMILY = {"a": "aăâ", "e": "eê", "o": "oôơ"}


def _vowel_positions(word: Word) -> list[int]:
    syl = split(word.letters)
    if syl is None:
        return []
    return list(range(syl.start, syl.start + len(syl.cluster)))


def _apply(word: Word, action: tuple, style: str) -> tuple[str, Word | None]:
    """("ok", word) when the action applies, ("undo", word) when it was already there and is
    taken off (the caller then types the key), ("none", None) when it does not apply."""
    if split(word.letters) is None:
        return "none", None
    kind = action[0]
    vowels = _vowel_positions(word)
    if kind == "tone":
        tone = action[1]
        if not vowels:
            return "none", None
        if tone == 0:
            if not word.tone:
                return "none", None
            w = word.copy()
            w.tone = 0
            return "ok", w
        if word.tone == tone:
            w = word.copy()
            w.tone = 0
            return "undo", w
        w = word.copy()
        w.tone = tone
        return ("ok", w) if valid(w) else ("none", None)
    if kind == "circumflex":
        family = _FAMILY.get(action[1], "aăâeêoôơ")
        for k in reversed(vowels):
            ch = word.letters[k]
            if ch not in family:
                continue
            w = word.copy()
            if ch in _UNCIRCUMFLEX:
                w.letters[k] = _UNCIRCUMFLEX[ch]
                return "undo", w
            w.letters[k] = _CIRCUMFLEX[ch]
            return ("ok", w) if valid(w) else ("none", None)
        return "none", None
    if kind in ("w", "horn", "breve"):
        letters = word.letters
        if kind in ("w", "horn"):
            # the pair u+o takes the horn on both letters
            for k in vowels[:-1]:
                a, b = letters[k], letters[k + 1]
                if a in "uư" and b in "oôơ":
                    w = word.copy()
                    if a == "ư" and b == "ơ":
                        w.letters[k], w.letters[k + 1] = "u", "o"
                        return "undo", w
                    syl = split(letters)
                    at_end = (k + 2 == syl.start + len(syl.cluster)) and not syl.coda
                    if a == "u" and b in "oô" and at_end:
                        w.letters[k + 1] = "ơ"  # thuở, huơ: the coda (if any comes) makes it ươ
                    else:
                        w.letters[k], w.letters[k + 1] = "ư", "ơ"
                    if valid(w):
                        return "ok", w
        table = {"w": {**_BREVE, **_HORN}, "horn": _HORN, "breve": _BREVE}[kind]
        for k in reversed(vowels):
            ch = letters[k]
            if ch in table:
                w = word.copy()
                w.letters[k] = table[ch]
                if valid(w):
                    return "ok", w
        marks = set(_UNMARK) & set({"w": "ăơư", "horn": "ơư", "breve": "ă"}[kind])
        for k in reversed(vowels):
            if letters[k] in marks:
                w = word.copy()
                if kind == "w" and letters[k] == "ư" and vowels == [k] and k == len(letters) - 1:
                    # a lone "ư" came from "w" alone: "ww" gives "w"
                    del w.letters[k], w.upper[k]
                else:
                    w.letters[k] = _UNMARK[letters[k]]
                return "undo", w
        if kind == "w" and not vowels:
            w = word.copy()
            w.letters.append("ư")
            w.upper.append(action[1])
            if valid(w):
                return "ok", w
        return "none", None
    if kind == "dd":
        if word.letters and word.letters[0] == "d":
            w = word.copy()
            w.letters[0] = "đ"
            return ("ok", w) if valid(w) else ("none", None)
        if word.letters and word.letters[0] == "đ":
            w = word.copy()
            w.letters[0] = "d"
            return "undo", w
        return "none", None
    return "none", None


def _action_for(key: str, method: str) -> tuple | None:
    low = key.lower()
    if method == "telex":
        if low in TELEX_TONES:
            return ("tone", TELEX_TONES[low])
        if low in ("a", "e", "o"):
            return ("circumflex", low)
        if low == "w":
            return ("w", key.isupper())
        if low == "d":
            return ("dd",)
    elif method == "vni":
        if key in VNI_TONES:
            return ("tone", VNI_TONES[key])
        if key == "6":
            return ("circumflex", "")
        if key == "7":
            return ("horn",)
        if key == "8":
            return ("breve",)
        if key == "9":
            return ("dd",)
    return None


def split_last_word(text: str) -> tuple[str, str]:
    """``(before, word)``: the trailing run of letters, and everything before it."""
    i = len(text)
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return text[:i], text[i:]


def _with_word(before: str, word: Word, style: str, tail: str = "") -> str:
    return nfc(before + render(word, style) + tail)


def compose(text_before_cursor: str, key: str, method: str = "telex", style: str = "classic") -> str:
    """The new text after typing ``key`` (one character, or ``BACKSPACE``) after
    ``text_before_cursor``.  Keys of more than one character are typed one by one."""
    if method not in METHODS:
        raise ValueError(f"unknown input method {method!r}")
    if style not in STYLES:
        raise ValueError(f"unknown tone style {style!r}")
    text = nfc(text_before_cursor or "")
    if key == BACKSPACE:
        return backspace(text, style)
    if len(key) != 1:
        for ch in key:
            text = compose(text, ch, method, style)
        return text
    if method == "off":
        return nfc(text + key)
    before, raw = split_last_word(text)
    word = Word.parse(raw) if raw else Word([], [], 0)
    action = _action_for(key, method)
    if word is not None and action is not None:
        result, new = _apply(word, action, style)
        if result == "ok":
            return _with_word(before, new, style)
        if result == "undo":
            return _with_word(before, new, style, key)
    if word is not None and key.isalpha():
        grown = Word.parse(raw + key)
        if grown is not None and valid(grown):
            return _with_word(before, grown, style)  # the tone moves to its place (hòa + n → hoàn)
    return nfc(text + key)


def type_keys(keys: str, method: str = "telex", style: str = "classic", text: str = "") -> str:
    """Type a whole key sequence: ``type_keys("nguyeenx") == "nguyễn"``."""
    for key in keys:
        text = compose(text, key, method, style)
    return text


def backspace(text: str, style: str = "classic") -> str:
    """Remove the last letter (a whole precomposed letter: ``nguyễn`` → ``nguyễ``); the tone of
    the remaining word moves back to its place (``hoàn`` → ``hòa`` in the classic style)."""
    text = nfc(text or "")
    if not text:
        return ""
    text = text[:-1]
    before, raw = split_last_word(text)
    if raw:
        word = Word.parse(raw)
        if word is not None and word.tone and valid(word):
            return _with_word(before, word, style)
    return text


# -- helper keys for people who do not know Telex ----------------------------------------------

HELPER_LETTERS = {"ă": ("breve",), "â": ("circumflex", "a"), "ê": ("circumflex", "e"),
                  "ô": ("circumflex", "o"), "ơ": ("horn",), "ư": ("horn",), "đ": ("dd",)}


def apply_tone(text: str, tone: str | int, style: str = "classic") -> str:
    """Put a tone ("acute", "grave", "hook", "tilde", "dot", "none" or 0–5) on the last word.
    The same tone again takes it off.  Without a vowel to carry it, nothing changes."""
    number = TONE_NAMES[tone] if isinstance(tone, str) else int(tone)
    text = nfc(text or "")
    before, raw = split_last_word(text)
    word = Word.parse(raw) if raw else None
    if word is None:
        return text
    result, new = _apply(word, ("tone", number), style)
    if result in ("ok", "undo"):
        return _with_word(before, new, style)
    return text


def apply_letter(text: str, letter: str, style: str = "classic") -> str:
    """A helper key ``ă â ê ô ơ ư đ`` (either case): changes the matching letter of the last word
    (``ca`` + ``â`` → ``câ``, ``dương`` + ``đ`` → ``đương``), or types the letter itself."""
    low = letter.lower()
    if low not in HELPER_LETTERS:
        raise ValueError(f"not a helper letter: {letter!r}")
    text = nfc(text or "")
    before, raw = split_last_word(text)
    word = Word.parse(raw) if raw else Word([], [], 0)
    if word is not None and raw:
        action = HELPER_LETTERS[low]
        if low in ("ơ", "ư"):
            # only the letter that was asked for gets the horn (a u+o pair gets both)
            vowels = _vowel_positions(word)
            pair = any(word.letters[k] in "uư" and word.letters[k + 1] in "oôơ" for k in vowels[:-1])
            if not pair:
                target = "oô" if low == "ơ" else "u"
                for k in reversed(vowels):
                    if word.letters[k] in target:
                        w = word.copy()
                        w.letters[k] = low
                        if valid(w):
                            return _with_word(before, w, style)
                        break
                return _type_plain(text, letter, style)
        result, new = _apply(word, action, style)
        if result == "ok" and low in "".join(new.letters):
            return _with_word(before, new, style)
    return _type_plain(text, letter, style)


def _type_plain(text: str, letter: str, style: str) -> str:
    before, raw = split_last_word(text)
    grown = Word.parse(raw + letter)
    if grown is not None and valid(grown):
        return _with_word(before, grown, style)
    return nfc(text + letter)


# -- a stateful front for keyboards ------------------------------------------------------------

@dataclass
class Composer:
    """Holds the input method and style for a keyboard; ``feed`` is ``compose`` with them."""

    method: str = "telex"
    style: str = "classic"

    def __post_init__(self):
        self.set_method(self.method)
        if self.style not in STYLES:
            raise ValueError(f"unknown tone style {self.style!r}")

    def set_method(self, method: str) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown input method {method!r}")
        self.method = method

    def feed(self, text: str, key: str) -> str:
        return compose(text, key, self.method, self.style)

    def backspace(self, text: str) -> str:
        return backspace(text, self.style)

    def tone(self, text: str, tone: str | int) -> str:
        return apply_tone(text, tone, self.style)

    def letter(self, text: str, letter: str) -> str:
        return apply_letter(text, letter, self.style)

    def type(self, keys: str, text: str = "") -> str:
        return type_keys(keys, self.method, self.style, text)
