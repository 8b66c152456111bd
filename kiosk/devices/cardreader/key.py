"""The key that opens a chip ID card: what the citizen typed or what the front QR gave.

PACE needs only the CAN, which on Vietnamese chip ID cards is the last 6 digits of the ID
number: a key may hold just those (``CardKey("", can_digits="012345")``).  BAC needs the
document number (the last 9 digits of the ID number) and the birth date, so a CAN-only key
opens a chip that refuses PACE with neither (the reader says ``card.need-dob``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from .errors import CardKeyError

_WEIGHTS = (7, 3, 1)


def mrz_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    if ch == "<":
        return 0
    raise ValueError(f"not an MRZ character: {ch!r}")


def check_digit(text: str) -> str:
    return str(sum(mrz_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(text)) % 10)


def yymmdd(d: date) -> str:
    return d.strftime("%y%m%d")


@dataclass(frozen=True)
class CardKey:
    id_number: str
    dob: date | None = None
    expiry: date | None = None
    doc_number: str | None = None
    can_digits: str | None = None  # the CAN alone (the last 6 digits of the ID number)

    def __post_init__(self):
        idn = (self.id_number or "").strip()
        if idn and not (len(idn) == 12 and idn.isdigit()):
            raise CardKeyError("ID number must be 12 digits")
        if self.can_digits is not None:
            can = self.can_digits.strip()
            if not (len(can) == 6 and can.isdigit()):
                raise CardKeyError("the CAN must be 6 digits")
            if idn and idn[-6:] != can:
                raise CardKeyError("the CAN is not the ID number's last 6 digits")
            object.__setattr__(self, "can_digits", can)
        if not idn and not self.doc_number and not self.can_digits:
            raise CardKeyError("no ID number, CAN or document number")
        object.__setattr__(self, "id_number", idn)
        if self.doc_number is not None:
            d = self.doc_number.strip().upper()
            if not (1 <= len(d) <= 9) or not all(c.isdigit() or "A" <= c <= "Z" or c == "<" for c in d):
                raise CardKeyError("document number must be up to 9 letters/digits")
            object.__setattr__(self, "doc_number", d)

    @property
    def can(self) -> str | None:
        if self.can_digits:
            return self.can_digits
        return self.id_number[-6:] if self.id_number else None

    @property
    def document_number(self) -> str:
        if self.doc_number:
            return self.doc_number
        return self.id_number[-9:]

    @property
    def bac_possible(self) -> bool:
        return self.dob is not None and bool(self.id_number or self.doc_number)

    def __repr__(self) -> str:  # never show the key itself
        return "CardKey(<hidden>)"


def mrz_information(doc_number: str, dob: date | str, expiry: date | str) -> str:
    doc = doc_number.ljust(9, "<")
    dob_s = dob if isinstance(dob, str) else yymmdd(dob)
    exp_s = expiry if isinstance(expiry, str) else yymmdd(expiry)
    return doc + check_digit(doc) + dob_s + check_digit(dob_s) + exp_s + check_digit(exp_s)


def bac_seed(mrz_info: str) -> bytes:
    return hashlib.sha1(mrz_info.encode("ascii")).digest()[:16]


MILESTONES = (14, 25, 40, 60)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def expiry_candidates(dob: date, today: date | None = None) -> list[date | None]:
    """Possible expiry dates of a CCCD when the card's expiry is not known.

    A card is valid until the holder's next renewal age (14, 25, 40, 60); one issued within 2
    years before a milestone runs to the following one; one issued at 58 or later has none
    (``None``: what the MRZ then holds is unconfirmed, so the caller tries the usual fillers).
    Candidates are ordered most likely first: expiries still in the future, nearest first.
    """
    today = today or date.today()
    out: list[date | None] = []
    for age in MILESTONES:
        d = _add_years(dob, age)
        out.append(d)
    future = [d for d in out if d and d >= today]
    past = [d for d in out if d and d < today]
    ordered: list[date | None] = future + list(reversed(past))
    age_now = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    if age_now >= 58:
        ordered.insert(0 if age_now >= 60 else len(future), None)
    return ordered


NO_EXPIRY_FILLERS = ("<<<<<<", "991231")
