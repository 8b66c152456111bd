"""DG13 of the Vietnamese chip ID card: personal data by field number.

6D → SEQUENCE { INTEGER 1, OID 1.0.10646.1.0.8, SET OF SEQUENCE { INTEGER fieldNo, value… } }.
Parsed with the BER parser by field number, never by byte position; fields we do not know
are kept raw.  Text is normalised to NFC.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from . import ber
from .errors import CardDataError

OID_UCS = "1.0.10646.1.0.8"

FIELDS = {
    1: "id_number",
    2: "full_name",
    3: "date_of_birth",
    4: "sex",
    5: "nationality",
    6: "ethnicity",
    7: "religion",
    8: "hometown",
    9: "residence",
    10: "identifying_marks",
    11: "issue_date",
    12: "expiry",
    13: "parents",
    14: "spouse",
    15: "old_id_number",
    16: "disputed",
}

_STRING_TAGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x1A: "ascii", 0x14: "latin-1"}


@dataclass
class Dg13:
    values: dict[int, object] = field(default_factory=dict)  # field number → str / tuple / bytes
    raw_unknown: dict[int, bytes] = field(default_factory=dict)

    def get(self, number: int, default=None):
        return self.values.get(number, default)


def _text(t: ber.Tlv) -> str:
    enc = _STRING_TAGS.get(t.tag)
    if enc is None:
        if t.tag == 0x1E:
            if len(t.value) % 2:
                raise CardDataError("bad BMPString")
            return unicodedata.normalize("NFC", t.value.decode("utf-16-be", errors="replace"))
        raise CardDataError(f"DG13 value with unexpected tag {t.tag:X}")
    try:
        return unicodedata.normalize("NFC", t.value.decode(enc)).strip()
    except UnicodeDecodeError:
        raise CardDataError("DG13 text is not valid") from None


def _texts(parts: list[ber.Tlv], depth: int = 0) -> list[str]:
    out: list[str] = []
    if depth > 4:
        raise CardDataError("DG13 nesting too deep")
    for p in parts:
        if p.tag in (0x30, 0x31):
            out.extend(_texts(p.children(), depth + 1))
        else:
            out.append(_text(p))
    return out


def _collect(node: ber.Tlv, out: dict[int, list[ber.Tlv]], depth: int = 0) -> None:
    if depth > 6:
        raise CardDataError("DG13 nesting too deep")
    for child in node.children():
        if child.tag == 0x30:
            parts = child.children()
            if len(parts) >= 1 and parts[0].tag == 0x02 and not (len(parts) > 1 and parts[1].tag == 0x06):
                number = ber.decode_int(parts[0].value)
                if 0 < number < 1000 and number not in out:
                    out[number] = parts[1:]
                continue
            _collect(child, out, depth + 1)
        elif child.tag == 0x31:
            _collect(child, out, depth + 1)


def parse_dg13(data: bytes) -> Dg13:
    top = ber.parse(data)
    if top.tag != 0x6D:
        raise CardDataError("DG13 does not start with tag 6D")
    found: dict[int, list[ber.Tlv]] = {}
    _collect(top, found)
    if not found:
        raise CardDataError("DG13 holds no fields")
    result = Dg13()
    for number, parts in sorted(found.items()):
        if number not in FIELDS:
            result.raw_unknown[number] = b"".join(p.raw for p in parts)
            continue
        texts = _texts(parts)
        if number == 13:
            # father then mother, each in a nested SEQUENCE (either may be empty); tolerate
            # both wrapped in one more SEQUENCE, or given as two plain strings
            if len(parts) == 1 and parts[0].tag in (0x30, 0x31) and len(parts[0].children()) >= 2:
                parts = parts[0].children()
            names = []
            for p in parts:
                inner = _texts([p]) if p.tag in (0x30, 0x31) else [_text(p)]
                names.append(" ".join(s for s in inner if s))
            while len(names) < 2:
                names.append("")
            result.values[13] = (names[0], names[1])
        else:
            result.values[number] = " ".join(s for s in texts if s)
    return result


def build_dg13(values: dict[int, object]) -> bytes:
    """DG13 as the CCCD encodes it (for the virtual card): numbers and dates PrintableString,
    Vietnamese text UTF8String, parents in nested SEQUENCEs."""
    items = []
    for number in sorted(values):
        v = values[number]
        if number == 13:
            father, mother = v  # type: ignore[misc]
            body = ber.seq(ber.utf8(father)) + ber.seq(ber.utf8(mother))
        elif isinstance(v, bytes):
            body = v
        elif number in (1, 3, 11, 15) or (number == 12 and str(v)[:1].isdigit()):
            body = ber.printable(str(v))
        else:
            body = ber.utf8(str(v))
        items.append(ber.seq(ber.integer(number), body))
    inner = ber.seq(ber.integer(1), ber.oid(OID_UCS), ber.tlv(0x31, b"".join(items)))
    return ber.tlv(0x6D, inner)
