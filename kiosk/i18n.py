"""Translations through gettext: ``vi`` (default) and ``en``.

Catalogs are standard gettext ``.po`` files in ``assets/locales/<lang>/LC_MESSAGES/kiosk.po``
whose msgids are stable message keys (``menu.lookup``); they are compiled to ``.mo`` in memory
at start-up and served by :class:`gettext.GNUTranslations`, so translators use the ordinary
tools.  A key missing from the active catalog is shown as-is and recorded in ``missing``:
tests walk every screen in both languages and fail on any such key.
"""

from __future__ import annotations

import ast
import gettext
import io
import struct
import threading
from pathlib import Path
from typing import Callable

LOCALES = Path(__file__).resolve().parent.parent / "assets" / "locales"
LANGUAGES = ("vi", "en")
DOMAIN = "kiosk"


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (no plural forms: the kiosk does not need them)."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    target = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            entries[msgid] = msgstr

    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr, target = ast.literal_eval(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, target = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"'):
            piece = ast.literal_eval(line)
            if target == "id":
                msgid += piece
            elif target == "str":
                msgstr += piece
            else:
                raise ValueError(f"line {lineno}: continuation outside an entry")
        else:
            raise ValueError(f"line {lineno}: not understood: {line[:40]}")
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo binary for ``entries`` (what msgfmt would write)."""
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    n = len(keys)
    header = 7 * 4
    ktab = header
    vtab = ktab + n * 8
    data = vtab + n * 8
    koffsets, voffsets, blob = [], [], b""
    for b in ids:
        koffsets.append((len(b), data + len(blob)))
        blob += b + b"\0"
    for b in strs:
        voffsets.append((len(b), data + len(blob)))
        blob += b + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, n, ktab, vtab, 0, 0)
    for length, off in koffsets + voffsets:
        out += struct.pack("<2I", length, off)
    return out + blob


def load_catalog(lang: str, root: Path = LOCALES) -> gettext.GNUTranslations:
    po = root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    entries = parse_po(po.read_text(encoding="utf-8"))
    entries.setdefault("", "Content-Type: text/plain; charset=UTF-8\n")
    return gettext.GNUTranslations(io.BytesIO(compile_mo(entries)))


class Translator:
    """The active language; listeners are told when it changes so screens re-label."""

    def __init__(self, lang: str = "vi", root: Path = LOCALES):
        self._catalogs = {code: load_catalog(code, root) for code in LANGUAGES}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str], None]] = []
        self.missing: set[tuple[str, str]] = set()
        self.lang = lang if lang in LANGUAGES else "vi"

    def keys(self, lang: str) -> set[str]:
        return {k for k in self._catalogs[lang]._catalog if k}  # type: ignore[attr-defined]

    def t(self, key: str, lang: str | None = None, **fmt) -> str:
        lang = lang or self.lang
        catalog = self._catalogs[lang]
        text = catalog.gettext(key)
        if text == key:
            with self._lock:
                self.missing.add((lang, key))
        if fmt:
            try:
                text = text.format(**fmt)
            except (KeyError, IndexError, ValueError):
                with self._lock:
                    self.missing.add((lang, key + " (format)"))
        return text

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(lang)
        if lang != self.lang:
            self.lang = lang
            for listener in list(self._listeners):
                listener(lang)

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)
