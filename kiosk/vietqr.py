"""VietQR (NAPAS) payment payloads: EMVCo merchant-presented TLV, builder and parser.

Layout (domain.md §4): every field is a 2-digit id, a 2-digit length and the value.
``00`` = "01"; ``01`` = "11" static / "12" dynamic; ``38`` the NAPAS template
{``00`` GUID A000000727, ``01`` beneficiary {``00`` bank BIN, ``01`` account}, ``02`` service
QRIBFTTA / QRIBFTTC}; ``53`` currency 704; ``54`` amount; ``58`` country VN; ``62`` additional
data {``01`` bill, ``05`` reference, ``07`` terminal, ``08`` purpose}; ``63`` CRC-16/CCITT-FALSE
over everything up to and including ``6304``, as 4 upper-case hex digits.

Used by the QR scanner (to tell a citizen what a payment QR is) and by the gateway and payment
screen (to build one).  Plain Python, no dependencies.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
MAX_PAYLOAD = 512  # EMVCo allows 512 characters; anything longer is not a payment QR


class VietQrError(ValueError):
    """A string that is not a well-formed VietQR/EMVCo payload.  ``message_key`` for the UI."""

    message_key = "qr.payment_invalid"
    next_step = "next.ask_staff"

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor), the CRC of
    EMVCo QR payloads: the standard library's ``binascii.crc_hqx`` seeded with 0xFFFF."""
    return binascii.crc_hqx(data, 0xFFFF)


def crc_hex(text_up_to_6304: str) -> str:
    return f"{crc16_ccitt_false(text_up_to_6304.encode('utf-8')):04X}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """Split an EMVCo TLV string into (id, value) pairs, in order; raises VietQrError."""
    out: list[tuple[str, str]] = []
    i = 0
    n = len(text)
    while i < n:
        if i + 4 > n:
            raise VietQrError("truncated-field-header")
        tag, length = text[i : i + 2], text[i + 2 : i + 4]
        if not (tag.isascii() and tag.isdigit() and length.isascii() and length.isdigit()):
            raise VietQrError("bad-field-header")
        size = int(length)
        value = text[i + 4 : i + 4 + size]
        if len(value) != size:
            raise VietQrError("truncated-field-value")
        out.append((tag, value))
        i += 4 + size
    return out


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError("tag must be two digits")
    if len(value) > 99:
        raise ValueError(f"field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


@dataclass(frozen=True)
class VietQr:
    """A parsed (or to-be-built) VietQR payment payload."""

    bank_bin: str
    account: str
    service: str = SERVICE_TO_ACCOUNT
    amount: int | None = None  # VND, whole dong
    purpose: str = ""
    bill_number: str = ""
    reference: str = ""
    terminal: str = ""
    dynamic: bool | None = None  # None: derived from amount when building
    currency: str = CURRENCY_VND
    country: str = COUNTRY_VN
    guid: str = NAPAS_GUID
    merchant_name: str = ""
    crc: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())  # fields we keep but do not interpret

    @property
    def is_napas(self) -> bool:
        return self.guid == NAPAS_GUID


_PURPOSE_RX = re.compile(r"[A-Za-z0-9 .,\-_/:]*")


def build(q: VietQr) -> str:
    """The payload string for a VietQR, CRC included."""
    if not re.fullmatch(r"\d{6}", q.bank_bin):
        raise ValueError("bank BIN must be 6 digits")
    if not re.fullmatch(r"[A-Za-z0-9]{1,19}", q.account):
        raise ValueError("account must be 1-19 letters or digits")
    if q.service not in (SERVICE_TO_ACCOUNT, SERVICE_TO_CARD):
        raise ValueError("service must be QRIBFTTA or QRIBFTTC")
    if q.amount is not None and not (0 < q.amount < 10**13):
        raise ValueError("amount must be a positive whole number of dong")
    if len(q.purpose) > 25 or not _PURPOSE_RX.fullmatch(q.purpose):
        raise ValueError("purpose must be at most 25 characters without diacritics")
    dynamic = q.dynamic if q.dynamic is not None else q.amount is not None
    beneficiary = tlv("00", q.bank_bin) + tlv("01", q.account)
    template = tlv("00", q.guid) + tlv("01", beneficiary) + tlv("02", q.service)
    fields = [("00", "01"), ("01", "12" if dynamic else "11"), ("38", template), ("53", q.currency)]
    if q.amount is not None:
        fields.append(("54", str(q.amount)))
    fields.append(("58", q.country))
    if q.merchant_name:
        fields.append(("59", q.merchant_name))
    additional = ""
    for tag, value in (("01", q.bill_number), ("05", q.reference), ("07", q.terminal), ("08", q.purpose)):
        if value:
            additional += tlv(tag, value)
    if additional:
        fields.append(("62", additional))
    for tag, value in q.extra:  # kept from a parsed payload, e.g. a wallet's private field 80
        if tag in {t for t, _ in fields} or tag == "63" or not ("00" <= tag <= "99"):
            raise ValueError(f"extra field {tag} clashes with a built field")
        fields.append((tag, value))
    fields.sort(key=lambda f: f[0])  # EMVCo fields in ascending id order, CRC last
    body = "".join(tlv(t, v) for t, v in fields) + "6304"
    return body + crc_hex(body)


def parse(text: str) -> VietQr:
    """Parse and check a VietQR/EMVCo payload; raises VietQrError naming the first problem.

    The CRC is always checked.  Payloads from other EMVCo schemes (e.g. a card-network
    merchant template in 26..51 without the NAPAS template 38) parse with ``guid`` set to the
    scheme's id and empty bank fields, so the UI can say "a payment QR, not for this kiosk".
    """
    if not isinstance(text, str) or not text:
        raise VietQrError("empty")
    if len(text) > MAX_PAYLOAD:
        raise VietQrError("too-long")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise VietQrError("control-characters")
    if not text.startswith("000201"):
        raise VietQrError("not-emvco")
    fields = parse_tlv(text)
    if not fields or fields[-1][0] != "63":
        raise VietQrError("crc-missing")
    if len(fields[-1][1]) != 4 or not text.endswith(fields[-1][1]) or not text[:-4].endswith("6304"):
        raise VietQrError("crc-missing")
    if [t for t, _ in fields].count("63") != 1:
        raise VietQrError("crc-missing")
    expected = crc_hex(text[:-4])
    if fields[-1][1] != expected:  # 4 upper-case hex digits, exactly
        raise VietQrError("crc-mismatch")
    values = dict(fields)
    init = values.get("01", "")
    if init not in ("11", "12"):
        raise VietQrError("bad-initiation-method")
    guid = bank_bin = account = service = ""
    if "38" in values:
        sub = dict(parse_tlv(values["38"]))
        guid = sub.get("00", "")
        service = sub.get("02", "")
        if "01" in sub:
            ben = dict(parse_tlv(sub["01"]))
            bank_bin, account = ben.get("00", ""), ben.get("01", "")
    else:
        for tag in sorted(values):
            if "26" <= tag <= "51":
                try:
                    guid = dict(parse_tlv(values[tag])).get("00", "")
                except VietQrError:
                    guid = ""
                break
        if not guid:
            raise VietQrError("no-merchant-account")
    amount = None
    if "54" in values:
        raw = values["54"]
        if not re.fullmatch(r"\d{1,13}(\.\d{1,2})?", raw):
            raise VietQrError("bad-amount")
        amount = int(float(raw)) if "." in raw else int(raw)
    add = {}
    if "62" in values:
        add = dict(parse_tlv(values["62"]))
    known = {"00", "01", "38", "53", "54", "58", "59", "62", "63"}
    return VietQr(
        bank_bin=bank_bin,
        account=account,
        service=service,
        amount=amount,
        purpose=add.get("08", ""),
        bill_number=add.get("01", ""),
        reference=add.get("05", ""),
        terminal=add.get("07", ""),
        dynamic=init == "12",
        currency=values.get("53", ""),
        country=values.get("58", ""),
        guid=guid,
        merchant_name=values.get("59", ""),
        crc=fields[-1][1].upper(),
        extra=tuple((t, v) for t, v in fields if t not in known),
    )
