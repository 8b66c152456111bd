"""DG1: the TD1 machine-readable zone of the CCCD, every check digit verified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import ber
from .errors import CardDataError
from .key import check_digit


@dataclass(frozen=True)
class Mrz:
    document_code: str
    issuing_state: str
    document_number: str
    id_number: str | None  # the full 12-digit number from the optional data
    dob: str  # YYMMDD as printed
    sex: str  # M / F / <
    expiry: str  # YYMMDD, or '<<<<<<' when the card has none
    nationality: str
    surname: str
    given_names: str
    lines: tuple[str, str, str]

    @property
    def name(self) -> str:
        return (self.surname + " " + self.given_names).strip()


def _check(field: str, digit: str, what: str) -> None:
    if set(field) == {"<"} and digit in ("<", "0"):
        return
    if check_digit(field) != digit:
        raise CardDataError(f"MRZ check digit of {what} is wrong")


def parse_mrz(text: str) -> Mrz:
    if len(text) != 90:
        raise CardDataError(f"TD1 MRZ must have 90 characters, found {len(text)}")
    if any(not (c.isdigit() or "A" <= c <= "Z" or c == "<") for c in text):
        raise CardDataError("MRZ has characters outside A-Z 0-9 <")
    l1, l2, l3 = text[:30], text[30:60], text[60:]
    doc_code, state = l1[0:2], l1[2:5]
    doc_number, doc_cd, optional1 = l1[5:14], l1[14], l1[15:30]
    if doc_cd == "<":
        raise CardDataError("long document numbers are not used on the CCCD")
    _check(doc_number, doc_cd, "document number")
    dob, dob_cd, sex, exp, exp_cd, nat, _optional2, composite = (
        l2[0:6], l2[6], l2[7], l2[8:14], l2[14], l2[15:18], l2[18:29], l2[29])
    _check(dob, dob_cd, "date of birth")
    _check(exp, exp_cd, "date of expiry")
    if sex not in "MF<":
        raise CardDataError("MRZ sex is not M, F or <")
    comp_field = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
    if check_digit(comp_field) != composite:
        raise CardDataError("MRZ composite check digit is wrong")
    id_number = None
    opt = optional1.rstrip("<")
    if len(opt) == 13 and opt.isdigit():
        id_number = opt[:12]
        if check_digit(id_number) != opt[12]:
            raise CardDataError("MRZ check digit of the ID number is wrong")
    elif len(opt) >= 12 and opt[:12].isdigit():
        id_number = opt[:12]
    parts = l3.split("<<", 1)
    surname = parts[0].replace("<", " ").strip()
    given = parts[1].replace("<", " ").strip() if len(parts) > 1 else ""
    return Mrz(doc_code.replace("<", ""), state, doc_number.rstrip("<"), id_number, dob, sex, exp, nat,
               surname, " ".join(given.split()), (l1, l2, l3))


def parse_dg1(data: bytes) -> Mrz:
    top = ber.parse(data)
    if top.tag != 0x61:
        raise CardDataError("DG1 does not start with tag 61")
    mrz = top.need(0x5F1F).value
    try:
        text = mrz.decode("ascii")
    except UnicodeDecodeError:
        raise CardDataError("MRZ is not ASCII") from None
    return parse_mrz(text)


def build_mrz(doc_number: str, id_number: str, dob: date, sex: str, expiry: date | None, surname: str,
              given_names: str, state: str = "VNM", nationality: str = "VNM") -> str:
    """The TD1 MRZ as the CCCD prints it (used by the virtual card and tests)."""
    doc = doc_number.ljust(9, "<")
    l1 = ("ID" + state + doc + check_digit(doc) + id_number + check_digit(id_number)).ljust(30, "<")
    dob_s = dob.strftime("%y%m%d")
    exp_s = expiry.strftime("%y%m%d") if expiry else "<<<<<<"
    exp_cd = check_digit(exp_s)
    l2 = dob_s + check_digit(dob_s) + sex + exp_s + exp_cd + nationality
    l2 = l2.ljust(29, "<")
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    name = surname.upper().replace(" ", "<") + "<<" + given_names.upper().replace(" ", "<")
    l3 = name[:30].ljust(30, "<")
    return l1 + l2 + l3


def mrz_date(yymmdd: str, future: bool = False, today: date | None = None) -> date | None:
    """YYMMDD → date (birth dates in the past, expiry dates may be in the future)."""
    if not yymmdd.isdigit() or len(yymmdd) != 6:
        return None
    today = today or date.today()
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = 2000 if (yy <= (today.year % 100) + (50 if future else 0)) else 1900
    try:
        return date(century + yy, mm, dd)
    except ValueError:
        return None
