"""Text helpers shared by every layer: Vietnamese normalisation, search folding, masking,
and shape checks for what citizens type or scan (done before any network call)."""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Diacritic- and case-insensitive form for search: 'Đăng ký' → 'dang ky'."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return re.sub(r"\s+", " ", stripped).strip().lower()


def mask_id(number: str) -> str:
    """Mask an ID number for paper and logs: '001234567889' → '0012******89'.

    Keeps at most the first four and last two characters, and never more than a third of
    the number in total, so short numbers are masked too.
    """
    digits = "".join(ch for ch in str(number) if not ch.isspace())
    n = len(digits)
    if n == 0:
        return ""
    if n >= 12:
        head, tail = 4, 2
    elif n >= 6:
        head, tail = 2, 1
    else:
        return "*" * n
    return digits[:head] + "*" * (n - head - tail) + digits[n - tail :]


# Dossier codes have no official public format: accept what a gateway issues, but only in a
# shape that is safe to carry around (upper-case letters, digits and a few separators).
DOSSIER_CODE_MIN = 6
DOSSIER_CODE_MAX = 40
_DOSSIER_RX = re.compile(r"[A-Z0-9]+(?:[.\-/][A-Z0-9]+)*")  # no "..", "//", leading or trailing separator


class InvalidDossierCode(ValueError):
    """A typed or scanned dossier code of the wrong shape; ``reason`` is a message key."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def normalize_dossier_code(raw: str) -> str:
    """Upper-case, trimmed dossier code, or InvalidDossierCode with the reason."""
    if raw is None:
        raise InvalidDossierCode("empty")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in raw):
        raise InvalidDossierCode("control-characters")
    code = raw.strip().upper()
    if not code:
        raise InvalidDossierCode("empty")
    if len(code) < DOSSIER_CODE_MIN:
        raise InvalidDossierCode("too-short")
    if len(code) > DOSSIER_CODE_MAX:
        raise InvalidDossierCode("too-long")
    if not _DOSSIER_RX.fullmatch(code):
        raise InvalidDossierCode("bad-characters")
    return code


_ID12_RX = re.compile(r"\d{12}")


def is_id_number(raw: str) -> bool:
    """Shape of a 12-digit citizen ID number (CCCD): digits only, province code 001–096."""
    if not _ID12_RX.fullmatch(raw or ""):
        return False
    return 1 <= int(raw[:3]) <= 96


def format_vnd(amount: int, lang: str) -> str:
    """50000 → "50.000" (Vietnamese grouping) or "50,000" (English)."""
    digits = f"{int(amount):,}"
    return digits.replace(",", ".") if lang == "vi" else digits
