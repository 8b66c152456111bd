"""Tests written against surviving mutants of the module's security checks (scripts/mutation).

Each one pins a bound, an alphabet or a refusal of ``kiosk.payloads`` that the other QR tests
left loose: the exact limit (one over refused, the limit itself read), the exact reason and
length an ``UnknownPayload`` carries for the logs, and what ``wipe``/``repr``/``describe`` keep.
"""

from __future__ import annotations

from datetime import date

import pytest
from test_payloads import HOSTS, ID_QR
from test_vietqr import SAMPLE as VIETQR

from kiosk import payloads
from kiosk.payloads import (
    MAX_PAYLOAD_CHARS,
    MAX_URL_CHARS,
    DossierCodePayload,
    IdCardQr,
    UnknownPayload,
    VietQrPayload,
    _parse_lookup_url,
    describe,
    parse_payload,
)
from kiosk.text import mask_id

CODE = "HS-2024-000123"
TODAY = date(2026, 6, 15)


class _FixedDate(date):
    @classmethod
    def today(cls):
        return cls(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """``today`` is fixed, so a date bound is tested on its very day, whenever the test runs."""
    monkeypatch.setattr(payloads, "date", _FixedDate)


def _id_qr(**fields) -> str:
    names = ["id", "old", "name", "dob", "sex", "address", "issue"]
    values = dict(zip(names, ID_QR.split("|"), strict=True))
    values.update(fields)
    return "|".join(values[n] for n in names)


# --- every refusal: its reason and the scanned length, exactly ---------------------------------

REFUSED = [
    ("A" * (MAX_PAYLOAD_CHARS + 1), "too-long"),
    ("   ", "empty"),
    ("HS-2024-\x00000123", "control-characters"),
    ("WIFI:S:cafe;T:WPA;P:secret;;", "other-uri-scheme"),
    ("hello world", "dossier-bad-characters"),
    (VIETQR[:-1] + ("0" if VIETQR[-1] != "0" else "1"), "vietqr-crc-mismatch"),
    ("HOSO:H26.99-251125-7KQ2M9XD", "receipt-malformed"),
    ("HOSO:H26..99:7KQ2M9XD", "receipt-dossier-bad-characters"),
    ("HOSO:H26.99-251125-7KQ2M9XD:7KQ2M9X", "receipt-claim-length"),
    ("https://dichvucong.gov.vn/" + "a" * MAX_URL_CHARS, "url-too-long"),
    (f"https://dichvucong.gov.vn/?ma={CODE}&x=\\", "url-bad-characters"),
    (f"https://dichvucong.gov.vn:99999/?ma={CODE}", "url-malformed"),  # port out of range
    (f"https://[dichvucong.gov.vn/?ma={CODE}", "url-malformed"),  # unclosed IPv6 bracket
    (f"https://dichvucong.gov.vn@evil.example/?ma={CODE}", "url-userinfo"),
    (f"https://evil.example/?ma={CODE}", "host-not-allowed"),
    (f"https://dichvucong.gov.vn:8443/?ma={CODE}", "host-not-allowed"),
    (f"https://dichvucong.gov.vn/?ma={CODE}" + "&x=1" * 20, "url-malformed"),  # 21 query fields
    ("https://dichvucong.gov.vn/?ma=HS-1111111&code=HS-2222222", "url-ambiguous-code"),
    ("https://dichvucong.gov.vn/", "url-no-code"),
    ("https://dichvucong.gov.vn/?ma=abc", "url-dossier-too-short"),
    ("|".join(ID_QR.split("|")[:6]), "id-field-count"),
    (_id_qr(id="00123456788"), "id-number"),
    (_id_qr(old="12345"), "id-old-number"),
    (_id_qr(name="R2D2"), "id-name"),
    (_id_qr(dob="31021990"), "id-date"),
    (_id_qr(dob="01013990"), "id-date"),
    (_id_qr(issue="15061980"), "id-date"),
    (_id_qr(issue="31022021"), "id-date"),
    (_id_qr(issue="1506202"), "id-date"),
    (_id_qr(dob="1011990"), "id-date"),
    (_id_qr(dob=""), "id-date"),
    (_id_qr(sex="X"), "id-sex"),
    (_id_qr(address="<script>"), "id-address"),
]


@pytest.mark.parametrize("text, reason", REFUSED)
def test_each_refusal_says_why_and_how_long_the_scan_was(text, reason):
    # the whole value: reason, length (of what was scanned), message and next step
    assert parse_payload(text + "\n", HOSTS) == UnknownPayload(reason, len(text) + 1)


def test_non_str_message():
    with pytest.raises(TypeError, match="^parse_payload expects str$"):
        parse_payload(None)  # type: ignore[arg-type]


# --- length bounds -------------------------------------------------------------------------------

def test_a_payload_of_exactly_the_limit_is_read():
    text = "A" * MAX_PAYLOAD_CHARS
    assert parse_payload(text, HOSTS) == UnknownPayload("dossier-too-long", MAX_PAYLOAD_CHARS)


def test_a_lookup_url_of_exactly_the_limit_is_read():
    head = f"https://dichvucong.gov.vn/?ma={CODE}&x="
    url = head + "a" * (MAX_URL_CHARS - len(head))
    assert len(url) == MAX_URL_CHARS
    assert parse_payload(url, HOSTS) == DossierCodePayload(CODE, from_url=True, host="dichvucong.gov.vn")


def test_a_lookup_url_with_twenty_query_fields_is_read_and_twenty_one_is_not():
    url = f"https://dichvucong.gov.vn/?ma={CODE}" + "&x=1" * 19
    assert parse_payload(url, HOSTS) == DossierCodePayload(CODE, from_url=True, host="dichvucong.gov.vn")
    assert parse_payload(url + "&x=1", HOSTS) == UnknownPayload("url-malformed", len(url) + 4)


# --- characters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("ch", [
    "\ue000",  # Co: private use
    "\U000f0000",  # Co: supplementary private use
    "\u0378",  # Cn: unassigned
    "\u2028",  # Zl: line separator
    "\u2029",  # Zp: paragraph separator
])
def test_private_unassigned_and_separator_characters_are_refused(ch):
    text = f"HS-2024-{ch}000123"
    assert parse_payload(text, HOSTS) == UnknownPayload("control-characters", len(text))


@pytest.mark.parametrize("text", [
    f"{CODE}\n\n",  # only one line end is forgiven
    f"{CODE}\r\r",
    f"{CODE}\t",  # other white space is not trimmed
    f"\t{CODE}",
    f"\n{CODE}",
])
def test_only_spaces_and_one_line_end_are_trimmed(text):
    assert parse_payload(text, HOSTS) == UnknownPayload("control-characters", len(text))


@pytest.mark.parametrize("text", [f"{CODE}\r", f"{CODE}\n", f"{CODE}\r\n", f"  {CODE} \r\n ", f" {CODE} "])
def test_one_trailing_line_end_and_spaces_are_forgiven(text):
    assert parse_payload(text, HOSTS) == DossierCodePayload(CODE)


def test_trimming_takes_spaces_only_not_letters():
    assert parse_payload("XK-2024-00012X", HOSTS) == DossierCodePayload("XK-2024-00012X")
    assert parse_payload(" XK-2024-00012X \n", HOSTS) == DossierCodePayload("XK-2024-00012X")


# --- VietQR --------------------------------------------------------------------------------------

def test_a_vietqr_is_read_as_a_payment_and_described_without_personal_data():
    p = parse_payload(VIETQR, HOSTS)
    assert isinstance(p, VietQrPayload) and p.payment.bank_bin == "970416" and p.payment.amount == 10000
    assert describe(p) == {"kind": "vietqr", "bank_bin": "970416", "amount": 10000, "napas": p.payment.is_napas}
    assert p.payment.is_napas is True


# --- lookup URLs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    f"http://dichvucong.gov.vn:80/?ma={CODE}",
    f"https://dichvucong.gov.vn:443/?ma={CODE}",
    f"HTTPS://dichvucong.gov.vn/?ma={CODE}",
    f"Http://dichvucong.gov.vn/?ma={CODE}",
])
def test_the_default_ports_and_any_scheme_case_are_read(url):
    assert parse_payload(url, HOSTS) == DossierCodePayload(CODE, from_url=True, host="dichvucong.gov.vn")


@pytest.mark.parametrize("port", [81, 442, 444, 8080, 0])
def test_any_other_port_is_refused(port):
    url = f"http://dichvucong.gov.vn:{port}/?ma={CODE}"
    assert parse_payload(url, HOSTS) == UnknownPayload("host-not-allowed", len(url))


def test_the_code_is_the_last_path_segment():
    url = f"https://dichvucong.gov.vn/tra-cuu/ho-so/{CODE}/"
    assert parse_payload(url, HOSTS) == DossierCodePayload(CODE, from_url=True, host="dichvucong.gov.vn")


def test_a_url_without_a_host_is_refused_whatever_the_allow_list_holds():
    # the empty host must not be replaced by anything an allow-list could hold
    for url in (f"https:///{CODE}", f"https://:443/{CODE}"):
        assert parse_payload(url, ("xxxx", "XXXX", "")) == UnknownPayload("host-not-allowed", len(url))


def test_blank_and_keyless_query_fields_are_skipped():
    url = f"https://dichvucong.gov.vn/?ma=&lang&code={CODE}&q="
    assert parse_payload(url, HOSTS) == DossierCodePayload(CODE, from_url=True, host="dichvucong.gov.vn")


def test_the_url_reader_itself_refuses_a_scheme_other_than_http():
    # parse_payload only hands it http(s) URLs; the reader does not rely on that
    for url in (f"ftp://dichvucong.gov.vn/{CODE}", f"javascript://dichvucong.gov.vn/{CODE}"):
        assert _parse_lookup_url(url, HOSTS, 7) == UnknownPayload("url-malformed", 7)
    assert _parse_lookup_url(f"https://dichvucong.gov.vn/{CODE}", HOSTS, 7) == DossierCodePayload(
        CODE, from_url=True, host="dichvucong.gov.vn")


# --- ID card front QR ----------------------------------------------------------------------------

def test_sixteen_fields_are_read_seventeen_are_not():
    text = ID_QR + "|x" * 9
    p = parse_payload(text, HOSTS)
    assert isinstance(p, IdCardQr) and p.extra_fields == 9
    assert parse_payload(text + "|x", HOSTS) == UnknownPayload("id-field-count", len(text) + 2)


def test_a_name_of_exactly_the_limit_is_read_one_more_is_not():
    name = ("Nguyễn Văn An " * 10)[:100].strip() + "A" * 2
    name = name[:100]
    assert len(name) == 100
    p = parse_payload(_id_qr(name=name), HOSTS)
    assert isinstance(p, IdCardQr) and p.full_name == name
    text = _id_qr(name=name + "B")
    assert parse_payload(text, HOSTS) == UnknownPayload("id-name", len(text))


def test_runs_of_spaces_in_a_name_become_one():
    p = parse_payload(_id_qr(name="Nguyễn   Văn  An"), HOSTS)
    assert isinstance(p, IdCardQr) and p.full_name == "Nguyễn Văn An"


def test_a_name_with_a_combining_mark_that_has_no_precomposed_form_is_read():
    name = "Nguyễn Văn Q\u0301"  # Mn: q with acute has no precomposed letter, NFC keeps the mark
    p = parse_payload(_id_qr(name=name), HOSTS)
    assert isinstance(p, IdCardQr) and p.full_name == name


def test_an_address_of_exactly_the_limit_is_read_one_more_is_not():
    address = ("Số 12, phố Huế, Hà Nội " * 20)[:300]
    assert len(address) == 300
    p = parse_payload(_id_qr(address=address), HOSTS)
    assert isinstance(p, IdCardQr) and p.address == address.strip()
    address = address.strip() + "x" * (301 - len(address.strip()))
    text = _id_qr(address=address)
    assert parse_payload(text, HOSTS) == UnknownPayload("id-address", len(text))


@pytest.mark.parametrize("address", ["Số 12 phố Huế", "Ấp 3, xã Tân Phú (cũ); tổ 5/7 - khu #2: A&B.", "XXXX"])
def test_addresses_in_the_allowed_alphabet_are_read(address):
    p = parse_payload(_id_qr(address=address), HOSTS)
    assert isinstance(p, IdCardQr) and p.address == address


@pytest.mark.parametrize("address", ["Số 12 phố Huế!", "a_b", "a\u00a0b", "a+b", "a=b"])
def test_addresses_outside_the_alphabet_are_refused(address):
    text = _id_qr(address=address)
    assert parse_payload(text, HOSTS) == UnknownPayload("id-address", len(text))


def test_a_card_without_an_issue_date_is_read():
    p = parse_payload(_id_qr(issue=""), HOSTS)
    assert isinstance(p, IdCardQr) and p.issue_date is None


@pytest.mark.parametrize("dob, issue", [
    ("01011900", ""),  # the first day accepted
    ("15062026", ""),  # born today
    ("15062026", "15062026"),  # born and issued today
    ("01011990", "01011990"),  # issued on the day of birth
    ("01011990", "15062026"),  # issued today
])
def test_date_bounds_are_inclusive(dob, issue):
    p = parse_payload(_id_qr(dob=dob, issue=issue), HOSTS)
    assert isinstance(p, IdCardQr), p


@pytest.mark.parametrize("dob, issue", [
    ("31121899", ""),  # the day before the first day accepted
    ("31121899", "15062021"),  # ... even with an issue date after it
    ("16062026", ""),  # born tomorrow
    ("01011990", "16062026"),  # issued tomorrow
    ("02011990", "01011990"),  # issued the day before birth
])
def test_dates_out_of_bounds_are_refused(dob, issue):
    text = _id_qr(dob=dob, issue=issue)
    assert parse_payload(text, HOSTS) == UnknownPayload("id-date", len(text))


def test_wipe_empties_every_field_and_repr_masks_the_number():
    p = parse_payload(ID_QR, HOSTS)
    assert isinstance(p, IdCardQr)
    assert repr(p) == str(p) == f"IdCardQr(id_number={mask_id('001234567889')!r}, fields=7+0)"
    assert describe(p) == {"kind": "id_card", "id_number": mask_id("001234567889"), "extra_fields": 0}
    p.wipe()
    assert (p.id_number, p.old_id, p.full_name, p.dob, p.sex, p.address, p.issue_date) == (
        "", "", "", None, "", "", None)
    assert p.wiped


# --- describe ------------------------------------------------------------------------------------

def test_describe_a_dossier_and_an_unknown_payload():
    p = parse_payload(f"https://dichvucong.gov.vn/?ma={CODE}", HOSTS)
    assert describe(p) == {"kind": "dossier", "code": CODE, "from_url": True, "host": "dichvucong.gov.vn",
                           "claim_code": False}
    assert describe(parse_payload("", HOSTS)) == {"kind": "unknown", "reason": "empty",
                                                 "message_key": "qr.not_dossier_or_id"}
