"""Translations through gettext: ``vi`` (default) and ``en``.

Catalogs are standard gettext ``.po`` files in ``assets/locales/<lang>/LC_MESSAGES/kiosk.po``
whose msgids are stable message keys (``menu.lookup``); Babel reads them and compiles them to
``.mo`` in memory at start-up, and :class:`gettext.GNUTranslations` serves them, so translators
use the ordinary tools.  A key missing from the active catalog is shown as-is and recorded in
``missing``: tests walk every screen in both languages and fail on any such key.

The same catalogs hold what is printed on receipts (msgids ``receipt.*``, read through
:func:`text` by ``kiosk.receipts``): one file per language for translators.
"""

from __future__ import annotations

import functools
import gettext
import io
import threading
from collections.abc import Callable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "assets" / "locales"
LANGUAGES = ("vi", "en")
DOMAIN = "kiosk"


def po_path(lang: str, root: Path = LOCALES) -> Path:
    return Path(root) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str, root: Path = LOCALES) -> Catalog:
    """The .po catalog of ``lang`` as Babel reads it; a malformed file raises (PoFileError)."""
    with po_path(lang, root).open("rb") as f:
        return read_po(f, locale=lang, abort_invalid=True)


def compile_catalog(catalog: Catalog) -> gettext.GNUTranslations:
    """``catalog`` compiled to .mo in memory (what msgfmt would write) and loaded by gettext.
    Entries without a translation are left out, so they count as missing keys."""
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def load_catalog(lang: str, root: Path = LOCALES) -> gettext.GNUTranslations:
    """A fresh compiled catalog of ``lang`` read from disk."""
    return compile_catalog(read_catalog(lang, root))


@functools.cache
def _shared(lang: str, root: str) -> gettext.GNUTranslations:
    return load_catalog(lang, Path(root))


def catalog(lang: str, root: Path = LOCALES) -> gettext.GNUTranslations:
    """The compiled catalog of ``lang``, read once per process (it is never modified)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    return _shared(lang, str(Path(root).resolve()))


def text(key: str, lang: str, root: Path = LOCALES) -> str | None:
    """The translation of ``key`` in ``lang``, or None when the catalog lacks it."""
    value = catalog(lang, root).gettext(key)
    return None if value == key else value


def keys(lang: str, root: Path = LOCALES) -> set[str]:
    """Every translated msgid of ``lang`` (the header excluded)."""
    return {k for k in catalog(lang, root)._catalog if k}  # type: ignore[attr-defined]


class Translator:
    """The active language; listeners are told when it changes so screens re-label."""

    def __init__(self, lang: str = "vi", root: Path = LOCALES):
        self._root = root
        self._catalogs = {code: catalog(code, root) for code in LANGUAGES}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str], None]] = []
        self.missing: set[tuple[str, str]] = set()
        self.lang = lang if lang in LANGUAGES else "vi"

    def keys(self, lang: str) -> set[str]:
        return keys(lang, self._root)

    def t(self, key: str, lang: str | None = None, **fmt) -> str:
        lang = lang or self.lang
        value = self._catalogs[lang].gettext(key)
        if value == key:
            with self._lock:
                self.missing.add((lang, key))
        if fmt:
            try:
                value = value.format(**fmt)
            except (KeyError, IndexError, ValueError):
                with self._lock:
                    self.missing.add((lang, key + " (format)"))
        return value

    def set_language(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(lang)
        if lang != self.lang:
            self.lang = lang
            for listener in list(self._listeners):
                listener(lang)

    def subscribe(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)
