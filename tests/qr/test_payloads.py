"""Typed payload parsing: examples, hostile inputs, and fuzzing with hypothesis."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.payloads import (
    MAX_PAYLOAD_CHARS,
    DossierCodePayload,
    IdCardQr,
    UnknownPayload,
    VietQrPayload,
    describe,
    parse_payload,
    receipt_qr,
)
from kiosk.text import mask_id, normalize_claim_code, normalize_dossier_code

HOSTS = ("dichvucong.gov.vn", "dichvucong.hanoi.gov.vn")
ID_QR = "001234567889|123456789|Nguyễn Văn An|01011990|Nam|Số 12, phố Huế, Phường Hai Bà Trưng, Hà Nội|15062021"


def test_dossier_code():
    p = parse_payload("hs-2024-000123", HOSTS)
    assert p == DossierCodePayload("HS-2024-000123")


def test_dossier_code_with_scanner_line_end():
    assert parse_payload("HS-2024-000123\r\n", HOSTS) == DossierCodePayload("HS-2024-000123")


@pytest.mark.parametrize("url, code", [
    ("https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?maHoSo=H01.22-240101-0001", "H01.22-240101-0001"),
    ("http://dichvucong.hanoi.gov.vn/tra-cuu?ma=hs-777-abc", "HS-777-ABC"),
    ("https://DichVuCong.gov.vn./ho-so/G22.99-20240101-0007", "G22.99-20240101-0007"),
    ("https://dichvucong.gov.vn:443/tra-cuu?code=ABC123456&lang=vi", "ABC123456"),
])
def test_lookup_url_on_allow_list(url, code):
    p = parse_payload(url, HOSTS)
    assert isinstance(p, DossierCodePayload) and p.from_url
    assert p.code == code and p.host in HOSTS


@pytest.mark.parametrize("url, reason", [
    ("https://evil.example/tra-cuu?maHoSo=HS-2024-000123", "host-not-allowed"),
    ("https://dichvucong.gov.vn.evil.example/?ma=HS-2024-000123", "host-not-allowed"),
    ("https://dichvucong.gov.vn@evil.example/?ma=HS-2024-000123", "url-userinfo"),
    ("https://evil.example\\@dichvucong.gov.vn/?ma=HS-2024-000123", "url-bad-characters"),
    ("https://dichvucong.gov.vn:8443/?ma=HS-2024-000123", "host-not-allowed"),
    ("https://dіchvucong.gov.vn/?ma=HS-2024-000123", "url-bad-characters"),  # Cyrillic і
    ("https://dichvucong.gov.vn/?ma=HS-1111111&code=HS-2222222", "url-ambiguous-code"),
    ("https://dichvucong.gov.vn/", "url-no-code"),
    ("https://dichvucong.gov.vn/?ma=abc'%20OR%201=1", "url-dossier-bad-characters"),
    ("javascript://dichvucong.gov.vn/?ma=HS-2024-000123", "other-uri-scheme"),
])
def test_lookup_url_refused(url, reason):
    p = parse_payload(url, HOSTS)
    assert isinstance(p, UnknownPayload)
    assert p.reason == reason
    assert p.message_key == "qr.not_dossier_or_id"


def test_no_allow_list_means_no_url_is_trusted():
    assert parse_payload("https://dichvucong.gov.vn/?ma=HS-2024-000123", ()).reason == "host-not-allowed"


def test_id_card_qr():
    p = parse_payload(ID_QR, HOSTS)
    assert isinstance(p, IdCardQr)
    assert p.id_number == "001234567889" and p.old_id == "123456789"
    assert p.full_name == "Nguyễn Văn An" and p.sex == "Nam"
    assert p.dob == date(1990, 1, 1) and p.issue_date == date(2021, 6, 15)
    assert p.address.startswith("Số 12")
    # no personal data in repr / describe
    assert "Nguyễn" not in repr(p) and "001234567889" not in repr(p)
    assert describe(p)["id_number"] == mask_id("001234567889")
    p.wipe()
    assert p.wiped and p.full_name == "" and p.dob is None and p.address == ""


def test_id_card_qr_nfd_name_is_normalised_and_old_id_may_be_empty():
    text = unicodedata.normalize("NFD", ID_QR.replace("|123456789|", "||"))
    p = parse_payload(text, HOSTS)
    assert isinstance(p, IdCardQr)
    assert p.old_id == ""
    assert p.full_name == unicodedata.normalize("NFC", "Nguyễn Văn An")
    assert unicodedata.is_normalized("NFC", p.address)


def test_id_card_qr_2024_extra_fields_tolerated():
    p = parse_payload(ID_QR + "|Nguyễn Văn B|Trần Thị C|", HOSTS)
    assert isinstance(p, IdCardQr) and p.extra_fields == 3


@pytest.mark.parametrize("text, reason", [
    (ID_QR.replace("001234567889", "00123456788"), "id-number"),
    (ID_QR.replace("001234567889", "991234567889"), "id-number"),
    (ID_QR.replace("|123456789|", "|12345|"), "id-old-number"),
    (ID_QR.replace("01011990", "31021990"), "id-date"),
    (ID_QR.replace("01011990", "01013990"), "id-date"),
    (ID_QR.replace("15062021", "15061980"), "id-date"),  # issued before birth
    (ID_QR.replace("|Nam|", "|X|"), "id-sex"),
    (ID_QR.replace("Nguyễn Văn An", "Robert'); DROP TABLE--"), "id-name"),
    (ID_QR.replace("Nguyễn Văn An", ""), "id-name"),
    (ID_QR.replace("Số 12", "<script>"), "id-address"),
    ("|".join(ID_QR.split("|")[:6]), "id-field-count"),
    (ID_QR + "|" * 20, "id-field-count"),
])
def test_id_card_qr_refused(text, reason):
    p = parse_payload(text, HOSTS)
    assert isinstance(p, UnknownPayload) and p.reason == reason


def test_vietqr_payment(vietqr_vectors):
    for line in vietqr_vectors:
        p = parse_payload(line, HOSTS)
        assert isinstance(p, VietQrPayload)
        assert p.message_key == "qr.payment_qr"
    bad = vietqr_vectors[1][:-1] + ("0" if vietqr_vectors[1][-1] != "0" else "1")
    p = parse_payload(bad, HOSTS)
    assert isinstance(p, UnknownPayload) and p.reason == "vietqr-crc-mismatch"


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("   \r\n", "empty"),
    ("HS-2024\x00-000123", "control-characters"),
    ("HS-2024-000123\r\nHS-2", "control-characters"),
    ("HS-2024-\u202e000123", "control-characters"),  # right-to-left override
    ("HS-2024-\u200b000123", "control-characters"),  # zero-width space
    ("HS-2024-\ud800", "control-characters"),  # lone surrogate
    ("A" * (MAX_PAYLOAD_CHARS + 1), "too-long"),
    ("hello world", "dossier-bad-characters"),
    ("../../etc/passwd", "dossier-bad-characters"),
    ("WIFI:S:cafe;T:WPA;P:secret;;", "other-uri-scheme"),
    ("ABC", "dossier-too-short"),
])
def test_unknown(text, reason):
    p = parse_payload(text, HOSTS)
    assert isinstance(p, UnknownPayload)
    assert p.reason == reason
    assert p.message_key == "qr.not_dossier_or_id" and p.next_step


def test_dossier_receipt_qr_carries_the_claim_code():
    text = receipt_qr("h26.99-251125-7kq2m9xd", "p4hr3qwn")
    assert text == "HOSO:H26.99-251125-7KQ2M9XD:P4HR-3QWN"  # QR alphanumeric mode: upper case, digits, .-:
    p = parse_payload(text, HOSTS)
    assert p == DossierCodePayload("H26.99-251125-7KQ2M9XD", claim_code="P4HR-3QWN")
    # typed or scanned loosely: case, the hyphen and O/I/L for 0/1 do not matter
    assert parse_payload("hoso:H26.99-251125-7KQ2M9XD:p4hr3qwn\n", HOSTS).claim_code == "P4HR-3QWN"
    assert parse_payload("HOSO:H26.99-251125-7KQ2M9XD:O1LI-M9XD", HOSTS).claim_code == "0111-M9XD"
    # the secret never shows in a log line
    assert "P4HR" not in repr(p) and describe(p)["claim_code"] is True and "P4HR" not in str(describe(p))
    # an old receipt, or a code alone, has none
    assert receipt_qr("H26.99-241125-0001", None) == "H26.99-241125-0001"
    assert parse_payload("H26.99-241125-0001", HOSTS).claim_code is None


@pytest.mark.parametrize("text, reason", [
    ("HOSO:H26.99-251125-7KQ2M9XD", "receipt-malformed"),  # no claim code
    ("HOSO::7KQ2M9XD", "receipt-malformed"),
    ("HOSO:H26..99:7KQ2M9XD", "receipt-dossier-bad-characters"),
    ("HOSO:H26.99-251125-7KQ2M9XD:7KQ2M9X", "receipt-claim-length"),
    ("HOSO:H26.99-251125-7KQ2M9XD:7KQ2M9XU", "receipt-claim-bad-characters"),  # no U in Crockford's digits
    ("HOSO:H26.99-251125-7KQ2M9XD:7KQ2:M9XD", "receipt-dossier-bad-characters"),
])
def test_dossier_receipt_qr_refused(text, reason):
    p = parse_payload(text, HOSTS)
    assert isinstance(p, UnknownPayload) and p.reason == reason


def test_non_str_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_payload(b"HS-2024-000123", HOSTS)  # type: ignore[arg-type]


# --- fuzzing -----------------------------------------------------------------------------------

_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _check_invariants(text: str, p) -> None:
    assert isinstance(p, (DossierCodePayload, IdCardQr, VietQrPayload, UnknownPayload))
    if isinstance(p, UnknownPayload):
        assert p.message_key == "qr.not_dossier_or_id"
        # the reason never echoes the payload (a few letters may happen to spell part of a reason's words)
        assert text not in p.reason or len(text) < 4 or set(text) <= set("abcdefghijklmnopqrstuvwxyz-")
        return
    assert len(text) <= MAX_PAYLOAD_CHARS
    core = text.strip(" ").removesuffix("\r\n").removesuffix("\n").removesuffix("\r").strip(" ")
    assert not any(unicodedata.category(c) in _REFUSED for c in core)
    if isinstance(p, DossierCodePayload):
        assert normalize_dossier_code(p.code) == p.code
        assert p.claim_code is None or normalize_claim_code(p.claim_code) == p.claim_code
        if p.from_url:
            assert p.host in HOSTS
    if isinstance(p, IdCardQr):
        assert len(p.id_number) == 12 and p.id_number.isdigit()
        assert p.dob is not None and p.dob <= date.today()
        assert unicodedata.is_normalized("NFC", p.full_name)
        assert "|" not in p.full_name + p.address


hostile_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=2000),
    st.from_regex(r"[A-Za-z0-9.\-/ ]{0,50}", fullmatch=True),
    st.builds(lambda a, b: f"https://{a}/?ma={b}", st.sampled_from(HOSTS + ("evil.example", "dichvucong.gov.vn.x")),
              st.text(max_size=40)),
    st.lists(st.text(max_size=40), min_size=6, max_size=9).map("|".join),
    st.text(max_size=100).map(lambda s: "000201" + s),
    st.text(max_size=60).map(lambda s: "HOSO:" + s),
    st.builds(lambda c, k: f"HOSO:{c}:{k}", st.from_regex(r"[A-Za-z0-9.\-/]{0,30}", fullmatch=True),
              st.from_regex(r"[A-Za-z0-9\- ]{0,12}", fullmatch=True)),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_fuzz_never_raises_and_keeps_invariants(text):
    _check_invariants(text, parse_payload(text, HOSTS))


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@settings(max_examples=300, deadline=None)
@given(
    province=st.integers(1, 96),
    rest=st.from_regex(r"\d{9}", fullmatch=True),
    old=st.one_of(st.just(""), st.from_regex(r"\d{9}", fullmatch=True)),
    name=st.lists(st.sampled_from(["Nguyễn", "Trần", "Lê", "Phạm", "Thị", "Văn", "Đức", "Ánh", "Hoàng", "Quỳnh"]),
                  min_size=2, max_size=5).map(" ".join),
    dob=st.dates(date(1930, 1, 1), date(2010, 12, 31)),
    sex=st.sampled_from(["Nam", "Nữ"]),
    address=st.text(alphabet="abcdefghiklmnopqrstuvxyàáảãạăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữự ,0123456789",
                    min_size=1, max_size=120).map(str.strip).filter(bool),
    issue_after=st.integers(0, 5000),
)
def test_fuzz_generated_id_card_qr_round_trips(province, rest, old, name, dob, sex, address, issue_after):
    from datetime import timedelta

    issue = min(date.today(), dob + timedelta(days=issue_after))
    idn = f"{province:03d}{rest}"
    text = "|".join([idn, old, name, dob.strftime("%d%m%Y"), sex, address, issue.strftime("%d%m%Y")])
    p = parse_payload(text, HOSTS)
    assert isinstance(p, IdCardQr), p
    assert (p.id_number, p.old_id, p.full_name, p.dob, p.sex, p.issue_date) == (idn, old, name, dob, sex, issue)
    _check_invariants(text, p)


def test_the_dossier_receipt_prints_its_claim_code_in_words_and_in_its_qr():
    from kiosk.devices.printer.layout import QR, Row
    from kiosk.receipts.builders import DossierInfo, dossier_receipt

    info = DossierInfo(code="H26.99-251125-7KQ2M9XD", procedure_name="Đăng ký khai sinh", citizen_name="Lê Văn An",
                       id_number="001189012345", claim_code="P4HR-3QWN")
    receipt = dossier_receipt(info, office="Bưu điện Trung tâm", kiosk_id="K-1", lang="vi")
    qrs = [e for e in receipt.elements if isinstance(e, QR)]
    assert [parse_payload(q.payload, HOSTS) for q in qrs] == [
        DossierCodePayload("H26.99-251125-7KQ2M9XD", claim_code="P4HR-3QWN")]
    assert any(isinstance(e, Row) and e.value == "P4HR-3QWN" for e in receipt.elements)
    # a provisional receipt (not filed yet) and one without a claim code carry the code alone
    plain = dossier_receipt(DossierInfo(code="TAM-1234ABCD", procedure_name="x", citizen_name="y", id_number="",
                                        provisional=True, claim_code="P4HR-3QWN"), office="o", kiosk_id="k")
    assert [e.payload for e in plain.elements if isinstance(e, QR)] == ["TAM-1234ABCD"]
