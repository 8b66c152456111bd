"""Vietnamese in printer code pages: CP1258 (decomposed tone marks) and TCVN-3 (two pages).

``encode(text, profile)`` gives ESC/POS bytes (with ESC t selections) or None when the text
cannot be represented exactly; it checks itself by decoding with ``decode_page`` (the same
tables the ESC/POS decoder uses), so a mapping error never reaches paper as ``?``.
"""

from __future__ import annotations

import codecs
import unicodedata
from functools import cache

from kiosk.devices.printer.profile import PrinterProfile, capabilities

ESC = 0x1B
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
UNDEFINED = "\ufffd"


@cache
def page_table(encoding: str) -> tuple[str, ...] | None:
    """256 characters for a code page named as in the capabilities database, or None."""
    info = capabilities()["encodings"].get(encoding)
    if not info:
        return None
    py = info.get("python_encode")
    if py:
        try:
            codecs.lookup(py)
        except LookupError:
            py = None
    if py:
        out = []
        for b in range(256):
            try:
                out.append(bytes([b]).decode(py))
            except UnicodeDecodeError:
                out.append(UNDEFINED)
        return tuple(out)
    rows = info.get("data")
    if rows:
        upper = "".join(rows)
        if len(upper) == 128:
            chars = [chr(i) for i in range(128)]
            for ch in upper:
                # the database draws Đ of TCVN-3 as Ð (U+00D0, Icelandic eth)
                ch = "\u0110" if ch == "\u00d0" else ch
                chars.append(UNDEFINED if ch == " " else ch)
            return tuple(chars)
    return None


def decode_page(data: bytes, encoding: str | None) -> str:
    """Text printed from ``data`` under a code page (undefined bytes -> U+FFFD), NFC."""
    table = page_table(encoding) if encoding else None
    if table is None:
        table = tuple(chr(i) if i < 128 else UNDEFINED for i in range(256))
    return unicodedata.normalize("NFC", "".join(table[b] for b in data))


@cache
def _reverse(encoding: str) -> dict[str, int]:
    table = page_table(encoding) or ()
    rev: dict[str, int] = {}
    for b, ch in enumerate(table):
        if ch != UNDEFINED and ch not in rev and (b >= 0x20):
            rev[ch] = b
    return rev


def _encode_cp1258(text: str) -> bytes | None:
    rev = _reverse("CP1258")
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ord(ch))
            continue
        parts = unicodedata.normalize("NFD", ch)
        tones = [c for c in parts if c in TONE_MARKS]
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        if base not in rev or any(t not in rev for t in tones):
            return None
        out.append(rev[base])
        out += bytes(rev[t] for t in tones)
    return bytes(out)


def encode(text: str, profile: PrinterProfile) -> bytes | None:
    """ESC t + bytes printing exactly ``text`` on this profile, or None if impossible."""
    text = unicodedata.normalize("NFC", text)
    pages = profile.vietnamese_pages
    mode = profile.codepage_text
    if text.isascii():
        # any page is fine for ASCII; keep whatever page is active
        return text.encode("ascii") if all(0x20 <= ord(c) < 0x7F for c in text) else None
    if mode == "CP1258":
        body = _encode_cp1258(text)
        if body is None:
            return None
        data = bytes([ESC, ord("t"), pages["CP1258"]]) + body
        check = decode_page(body, "CP1258")
    elif mode == "TCVN-3":
        out = bytearray()
        current = None
        for ch in text:
            if ch.isascii() and 0x20 <= ord(ch) < 0x7F:
                out.append(ord(ch))
                continue
            for enc in ("TCVN-3-1", "TCVN-3-2"):
                b = _reverse(enc).get(ch)
                if b is not None and b >= 0x80:
                    if current != enc:
                        out += bytes([ESC, ord("t"), pages[enc]])
                        current = enc
                    out.append(b)
                    break
            else:
                return None
        data = bytes(out)
        check = _decode_with_switches(data, profile)
    else:
        return None
    return data if check == text else None


def _decode_with_switches(data: bytes, profile: PrinterProfile) -> str:
    out = []
    enc = None
    i = 0
    run = bytearray()
    while i < len(data):
        if data[i] == ESC and i + 2 < len(data) + 0 and data[i + 1] == ord("t"):
            out.append(decode_page(bytes(run), enc))
            run = bytearray()
            enc = profile.encoding_at(data[i + 2])
            i += 3
            continue
        run.append(data[i])
        i += 1
    out.append(decode_page(bytes(run), enc))
    return unicodedata.normalize("NFC", "".join(out))
