"""Text helpers shared by every layer, one of each: Vietnamese normalisation (``nfc``), search
folding, masking ID numbers (``mask_id``, ``mask_numbers``), money (``format_vnd``), dates
(``format_date``, ``format_datetime``), localized names (``localized``), and shape checks for
what citizens type or scan (done before any network call).

Plain Python: no Kivy here.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from typing import Any


def nfc(text: Any) -> str:
    """Precomposed (NFC) form, what ID cards, the gateway and the fonts use.  None gives ""."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", text if isinstance(text, str) else str(text))


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


# a 12-digit (citizen ID) or 9-digit (old ID) number standing alone among digits
ID_NUMBER_RX = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")


def mask_numbers(text: str) -> str:
    """Mask every ID-number-shaped run of digits in free text (logs, diagnostics, audit):
    'card 001234567889 read' → 'card 0012******89 read'."""
    return ID_NUMBER_RX.sub(lambda m: mask_id(m.group(1)), text)


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


# The random parts a gateway issues (the end of a new dossier code, the receipt's claim code)
# use Crockford's base-32 digits: no I, L, O or U, so what is read aloud or typed from paper
# cannot be confused; a typed O is read as 0, an I or L as 1.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_SAME = str.maketrans("OIL", "011")
CLAIM_CODE_LENGTH = 8  # 40 bits: typed from paper in two groups of four


class InvalidClaimCode(ValueError):
    """A claim code of the wrong shape (``reason`` says why)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def normalize_claim_code(raw: str) -> str:
    """The dossier receipt's claim code as the gateway issued it, ``"7KQ2-M9XD"``: case, spaces
    and the hyphen do not matter, and O/I/L typed for 0/1/1 are forgiven."""
    if not isinstance(raw, str):
        raise InvalidClaimCode("empty")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in raw):
        raise InvalidClaimCode("control-characters")
    text = re.sub(r"[\s\-]", "", raw).upper().translate(_CROCKFORD_SAME)
    if not text:
        raise InvalidClaimCode("empty")
    if len(text) != CLAIM_CODE_LENGTH:
        raise InvalidClaimCode("length")
    if any(ch not in CROCKFORD for ch in text):
        raise InvalidClaimCode("bad-characters")
    half = CLAIM_CODE_LENGTH // 2
    return f"{text[:half]}-{text[half:]}"


def crockford_canonical(text: str) -> str:
    """``text`` with the letters Crockford's digits never use read as the digits they look like."""
    return text.upper().translate(_CROCKFORD_SAME)


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


# -- dates ------------------------------------------------------------------------------------

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, time.struct_time):
        return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return value


def local_time(value: dt.datetime) -> dt.datetime:
    """An aware time (the gateway's are UTC) as the kiosk's local wall time; naive is kept."""
    return value.astimezone() if value.tzinfo is not None else value


def format_date(value: Any, lang: str, *, numeric: bool = False) -> str:
    """A date (or datetime, ISO string, struct_time) for a citizen: "09/12/2026" in Vietnamese,
    "09 Dec 2026" in English; ``numeric``: "09/12/2026" in every language (paper).  A string
    that is not a date is returned as it is; None gives "-"."""
    if value is None:
        return "-"
    value = _as_date(value)
    if isinstance(value, str):
        return value
    if lang == "vi" or numeric:
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return f"{value.day:02d} {_MONTHS_EN[value.month - 1]} {value.year}"


def format_datetime(value: Any, lang: str, *, numeric: bool = False, sep: str = " · ") -> str:
    """A time of day and its date: "14:05 · 09/12/2026" ("14:05 · 09 Dec 2026" in English).
    Aware times are shown in the kiosk's local time.  ``numeric`` and ``sep`` give the paper
    form, "14:05 09/12/2026".  A string that is not a date-time is returned as it is; None
    gives "-"."""
    if value is None:
        return "-"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    value = local_time(value)
    return f"{value:%H:%M}{sep}{format_date(value, lang, numeric=numeric)}"


# -- names in two languages -------------------------------------------------------------------


def localized(obj: Any, field: str, lang: str) -> str:
    """``obj.<field>_<lang>``, else ``obj.<field>_vi``, else "": the name of a procedure, an
    agency... in the citizen's language (Vietnamese when there is no translation)."""
    if obj is None:
        return ""
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_vi", "") or ""
