"""Receipt builders: plain values in, a ``Receipt`` layout out.

Each builder takes one dataclass (or a dict with the same keys) describing the thing being
printed, plus where it is printed (``office``, ``kiosk_id``), ``printed_at`` and ``lang``.
ID numbers are masked here (kiosk.text.mask_id) so the full number never reaches paper.
Every label comes from the gettext catalogs (``kiosk.receipts.strings``); dates are written
dd/mm/yyyy in both languages (kiosk.text.format_date, numeric form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from kiosk.devices.printer.layout import QR, Cut, Receipt, Row, Rule, Space, Text
from kiosk.receipts.strings import labels
from kiosk.text import format_date, format_datetime, format_vnd, mask_id, nfc

DEFAULT_SITE = "dichvucong.gov.vn"


# a document received: its name, or (name, number of pages) printed as "name (3 trang)"
Document = str | tuple[str, int]


@dataclass
class DossierInfo:
    code: str
    procedure_name: str
    citizen_name: str
    id_number: str
    documents: Sequence[Document] = ()
    fee_vnd: int = 0
    payment_status: str = "unpaid"  # paid | unpaid | exempt
    expected_date: dt.date | None = None
    delivery: str = "pickup"  # pickup (at result_address, a post office) | post (to result_address)
    result_address: str = ""
    procedure_code: str = ""
    lookup_url: str = ""  # QR payload; empty: the dossier code itself
    provisional: bool = False  # a reference the outbox issued: a note under it says it is not sent yet
    # the gateway's claim code: whoever holds the receipt may pay and have the result posted;
    # printed in words and carried by the QR (kiosk.payloads.receipt_qr), which then wins over lookup_url
    claim_code: str = ""


@dataclass
class PaymentInfo:
    dossier_code: str
    payer_name: str
    items: Sequence[tuple[str, int]] = ()  # (label, amount in VND)
    method: str = "vietqr"  # vietqr | cash | card
    transaction_ref: str = ""
    paid_at: dt.datetime | None = None


@dataclass
class StatusInfo:
    dossier_code: str
    procedure_name: str
    status: str  # received | processing | supplement | done | delivered | rejected
    updated_at: dt.datetime | None = None
    expected_date: dt.date | None = None
    history: Sequence[tuple[dt.datetime, str]] = ()
    next_step: str = ""


@dataclass
class TicketInfo:
    number: str
    service: str
    waiting_ahead: int = 0
    counter: str = ""


@dataclass
class DeliverySlipInfo:
    """A booked delivery of a dossier's result by post (the citizen's copy)."""

    dossier_code: str
    tracking_code: str
    procedure_name: str = ""
    recipient_name: str = ""  # masked on paper (mask_name)
    phone: str = ""  # masked on paper (mask_phone)
    ward: str = ""
    province: str = ""  # the street is not printed: the slip may be left behind
    fee_vnd: int = 0
    estimated_days: int = 0


def _coerce(cls, value):
    if isinstance(value, cls):
        return value
    if isinstance(value, dict):
        names = {f.name for f in fields(cls)}
        unknown = set(value) - names
        if unknown:
            raise TypeError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
        return cls(**value)
    raise TypeError(f"expected {cls.__name__} or dict, got {type(value).__name__}")


def money(amount: int, lang: str) -> str:
    """An amount on paper, with its unit: "200.000 đồng" / "200,000 VND"."""
    return labels(lang)["money"].format(amount=format_vnd(amount, lang))


def _date(d: dt.date | None, lang: str) -> str:
    return format_date(d, lang, numeric=True)


def _datetime(t: dt.datetime | None, lang: str) -> str:
    return format_datetime(t, lang, numeric=True, sep=" ")


def _document(doc: Document, lang: str) -> str:
    if isinstance(doc, str):
        return doc
    name, pages = doc
    return f"{name} ({labels(lang)['pages'].format(n=pages)})"


def _header(s, title: str, office: str, kiosk_id: str, printed_at: dt.datetime) -> list:
    return [
        Text(s["agency"], "small", "center"),
        Text(office, "bold", "center"),
        Space(6),
        Text(title, "title", "center"),
        Space(6),
        Row(s["kiosk"], kiosk_id),
        Row(s["printed_at"], _datetime(printed_at, s.lang)),
        Rule(),
    ]


def _now(printed_at):
    return printed_at or dt.datetime.now().replace(microsecond=0)


def dossier_receipt(dossier, *, office: str, kiosk_id: str, printed_at: dt.datetime | None = None,
                    lang: str = "vi", site: str = DEFAULT_SITE) -> Receipt:
    """The receipt a citizen keeps until the result arrives.  A provisional one says so under
    its reference; documents given as (name, pages) are printed "name (N trang)"."""
    d = _coerce(DossierInfo, dossier)
    s = labels(lang)
    el = _header(s, s["dossier.title"], office, kiosk_id, _now(printed_at))
    el.append(Row(s["dossier_code"], d.code, "bold"))
    if d.provisional:
        el.append(Text(s["provisional"], "bold"))
    el.append(QR(_receipt_qr(d)))
    if d.claim_code:
        el += [Row(s["claim_code"], d.claim_code, "bold"), Text(s["claim_code.how"], "small")]
    el += [
        Rule(),
        Row(s["procedure"], (f"{d.procedure_name} ({d.procedure_code})" if d.procedure_code else d.procedure_name)),
        Row(s["citizen"], d.citizen_name),
        Row(s["id_number"], mask_id(d.id_number)),
    ]
    if d.documents:
        el.append(Text(s["documents"] + ":"))
        el += [Text(f"{i}. {_document(doc, lang)}", "small", indent=16) for i, doc in enumerate(d.documents, 1)]
    el += [
        Row(s["fee"], money(d.fee_vnd, lang)),
        Row(s["payment"], s.get(f"payment.{d.payment_status}", d.payment_status)),
        Row(s["expected_date"], _date(d.expected_date, lang), "bold"),
        Row(s["result.post"] if d.delivery == "post" else s["result.pickup"], d.result_address or office),
        Rule(),
        Text(s["lookup.title"], "bold"),
        Text(s["lookup.how"].format(site=site), "small"),
        Space(8),
        Text(s["keep_receipt"], "small", "center"),
        Cut(),
    ]
    return Receipt("dossier-receipt", lang, tuple(el), reference=d.code)


def _receipt_qr(d: DossierInfo) -> str:
    if d.claim_code and not d.provisional:
        from kiosk.payloads import receipt_qr

        return receipt_qr(d.code, d.claim_code)
    return d.lookup_url or d.code


def payment_receipt(payment, *, office: str, kiosk_id: str, printed_at: dt.datetime | None = None,
                    lang: str = "vi") -> Receipt:
    p = _coerce(PaymentInfo, payment)
    s = labels(lang)
    el = _header(s, s["payment.title"], office, kiosk_id, _now(printed_at))
    el += [
        Row(s["dossier_code"], p.dossier_code, "bold"),
        Row(s["payer"], p.payer_name),
        Rule(),
    ]
    total = 0
    for label, amount in p.items:
        el.append(Row(label, money(amount, lang)))
        total += int(amount)
    el += [
        Rule(),
        Row(s["total"], money(total, lang), "large"),
        Row(s["method"], s.get(f"method.{p.method}", p.method)),
        Row(s["transaction"], p.transaction_ref or "-"),
        Row(s["paid_at"], _datetime(p.paid_at, lang)),
        Space(8),
        Text(s["thanks"], "bold", "center"),
        Cut(),
    ]
    return Receipt("payment-receipt", lang, tuple(el), reference=p.dossier_code)


def status_slip(status, *, office: str, kiosk_id: str, printed_at: dt.datetime | None = None,
                lang: str = "vi") -> Receipt:
    st = _coerce(StatusInfo, status)
    s = labels(lang)
    el = _header(s, s["status.title"], office, kiosk_id, _now(printed_at))
    el += [
        Row(s["dossier_code"], st.dossier_code, "bold"),
        Row(s["procedure"], st.procedure_name),
        Row(s["status"], s.get(f"status.{st.status}", st.status), "bold"),
        Row(s["updated_at"], _datetime(st.updated_at, lang)),
    ]
    if st.expected_date:
        el.append(Row(s["expected_date"], _date(st.expected_date, lang)))
    if st.history:
        el += [Rule(), Text(s["history"] + ":", "bold")]
        el += [Text(f"{_datetime(when, lang)}  {what}", "small", indent=8) for when, what in st.history]
    if st.next_step:
        el += [Rule(), Row(s["next_step"], st.next_step)]
    el += [QR(st.dossier_code), Cut()]
    return Receipt("status-slip", lang, tuple(el), reference=st.dossier_code)


def help_ticket(ticket, *, office: str, kiosk_id: str, printed_at: dt.datetime | None = None,
                lang: str = "vi") -> Receipt:
    t = _coerce(TicketInfo, ticket)
    s = labels(lang)
    when = _now(printed_at)
    el = [
        Text(s["agency"], "small", "center"),
        Text(office, "bold", "center"),
        Text(s["ticket.title"], "bold", "center"),
        Text(t.number, "title", "center"),
        Row(s["ticket.service"], t.service),
        Text(s["ticket.ahead"].format(n=t.waiting_ahead)),
    ]
    if t.counter:
        el.append(Text(s["ticket.counter"].format(counter=t.counter)))
    el += [Row(s["ticket.issued"], _datetime(when, lang)), Row(s["kiosk"], kiosk_id), Cut()]
    return Receipt("ticket", lang, tuple(el), reference=t.number)


def mask_name(name: str) -> str:
    """A name on paper that may be left behind: the family name, then initials.
    'Nguyễn Thị Minh Khai' → 'Nguyễn T. M. K.'"""
    words = str(name).split()
    if not words:
        return ""
    return " ".join([words[0]] + [w[0] + "." for w in words[1:]])


def mask_phone(phone: str) -> str:
    """Only the last three digits of a phone number: '0912345678' → '*******678'."""
    digits = "".join(ch for ch in str(phone) if ch.isdigit() or ch == "+")
    if len(digits) <= 3:
        return "*" * len(digits)
    return "*" * (len(digits) - 3) + digits[-3:]


def delivery_slip(delivery, *, office: str, kiosk_id: str, printed_at: dt.datetime | None = None,
                  lang: str = "vi") -> Receipt:
    """The delivery of a result by post, booked at the kiosk: the tracking code (also as a QR),
    where it goes (ward and province; recipient and phone masked), the fee and the wait."""
    d = _coerce(DeliverySlipInfo, delivery)
    s = labels(lang)
    el = _header(s, s["delivery.title"], office, kiosk_id, _now(printed_at))
    el += [Row(s["dossier_code"], d.dossier_code, "bold")]
    if d.procedure_name:
        el.append(Row(s["procedure"], d.procedure_name))
    el += [
        Rule(),
        Text(s["delivery.tracking"], "bold", "center"),
        Text(d.tracking_code, "title", "center"),
        QR(d.tracking_code),
        Rule(),
        Row(s["delivery.recipient"], mask_name(d.recipient_name) or "-"),
        Row(s["delivery.phone"], mask_phone(d.phone) or "-"),
        Row(s["delivery.to"], ", ".join(p for p in (d.ward, d.province) if p) or "-"),
        Row(s["delivery.fee"], money(d.fee_vnd, lang)),
        Row(s["delivery.days"], s["delivery.days_value"].format(n=d.estimated_days)),
        Rule(),
        Text(s["delivery.how"], "small"),
        Space(8),
        Text(s["keep_receipt"], "small", "center"),
        Cut(),
    ]
    return Receipt("delivery-slip", lang, tuple(el), reference=d.tracking_code)


def vietnamese_letters() -> list[str]:
    """The 134 precomposed Vietnamese letters outside ASCII: 67 lower-case, 67 upper-case."""
    tones = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    lower: list[str] = []
    for base in "aăâeêioôơuưy":
        b = nfc(base)
        if not b.isascii():
            lower.append(b)
        lower += [nfc(b + t) for t in tones]
    lower.append("đ")
    return lower + [ch.upper() for ch in lower]


def self_test(devices: Sequence[Any] = (), *, office: str, kiosk_id: str, profile: str = "",
              paper_mm: int = 80, text_mode: str = "raster", printed_at: dt.datetime | None = None,
              lang: str = "vi") -> Receipt:
    """Technician page: device statuses, every Vietnamese letter, a QR, a cut.

    ``devices``: DeviceStatus objects (kiosk.devices.base) or dicts with kind/state/media.
    """
    s = labels(lang)
    el = _header(s, s["selftest.title"], office, kiosk_id, _now(printed_at))
    el += [
        Row(s["selftest.profile"], profile or "-"),
        Row(s["selftest.paper"], f"{paper_mm} mm"),
        Row(s["selftest.mode"], text_mode),
        Rule(),
        Text(s["selftest.devices"] + ":", "bold"),
    ]
    for dev in devices:
        d = dev.as_dict() if hasattr(dev, "as_dict") else dict(dev)
        media = d.get("media", "n/a")
        value = d.get("state", "?") + ("" if media in ("n/a", None) else f" / {media}")
        el.append(Row(str(d.get("kind", "?")), value, "small"))
    letters = vietnamese_letters()
    el += [Rule(), Text(s["selftest.letters"] + ":", "bold")]
    half = len(letters) // 2  # lower-case, then upper-case
    for group in (letters[:half], letters[half:]):
        for i in range(0, len(group), 12):
            el.append(Text(" ".join(group[i:i + 12])))
    qr_text = f"KIOSK-SELFTEST {kiosk_id}"
    el += [Rule(), Text(s["selftest.qr"] + ":", "small"), QR(qr_text),
           Text(s["selftest.end"], "small", "center"), Cut()]
    return Receipt("self-test", lang, tuple(el), reference="self-test")
