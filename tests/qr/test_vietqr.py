"""VietQR builder/parser against every public vector, and CRC-16/CCITT-FALSE."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import vietqr
from kiosk.vietqr import VietQr, VietQrError

# a VietQR to account 257678859 (BIN 970416) for 10,000 VND, purpose "Chuyen tien"
SAMPLE = ("00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540510000"
          "5802VN62150811Chuyen tien630453E6")


def test_crc_check_value():
    # the catalogued check value of CRC-16/CCITT-FALSE over "123456789"
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1


def _crc_bitwise(data: bytes) -> int:
    """The CRC's definition, bit by bit: the oracle for the library call."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_crc_matches_its_bitwise_definition(data):
    assert vietqr.crc16_ccitt_false(data) == _crc_bitwise(data)


def test_every_vector_parses_with_its_crc(vietqr_vectors):
    assert len(vietqr_vectors) >= 8
    for line in vietqr_vectors:
        q = vietqr.parse(line)
        assert q.crc == line[-4:]
        assert vietqr.crc_hex(line[:-4]) == line[-4:]
        assert q.currency == "704" and q.country == "VN"


def test_every_napas_vector_rebuilds_byte_exact(vietqr_vectors):
    napas = [line for line in vietqr_vectors if vietqr.parse(line).is_napas]
    assert len(napas) >= 7
    for line in napas:
        assert vietqr.build(vietqr.parse(line)) == line


def test_vector_fields():
    line = SAMPLE
    q = vietqr.parse(line)
    assert (q.bank_bin, q.account, q.service, q.amount, q.purpose, q.dynamic) == (
        "970416", "257678859", "QRIBFTTA", 10000, "Chuyen tien", True)


def test_non_napas_emvco_vector_is_recognised(vietqr_vectors):
    others = [vietqr.parse(line) for line in vietqr_vectors if not vietqr.parse(line).is_napas]
    assert others and all(q.guid and not q.bank_bin for q in others)


@pytest.mark.parametrize("mutate, reason", [
    (lambda s: s[:-1] + ("0" if s[-1] != "0" else "1"), "crc-mismatch"),
    (lambda s: s.replace("Chuyen", "Chuyan"), "crc-mismatch"),
    (lambda s: s[:-8], "crc-missing"),
    (lambda s: s[:30], "truncated-field-value"),
    (lambda s: "1" + s[1:], "not-emvco"),
    (lambda s: s[:-4] + "\n" + s[-3:], "control-characters"),
])
def test_tampered_payloads_are_refused(mutate, reason):
    line = SAMPLE
    with pytest.raises(VietQrError) as exc:
        vietqr.parse(mutate(line))
    assert exc.value.reason == reason
    assert exc.value.message_key == "qr.payment_invalid"


def test_builder_refuses_bad_values():
    with pytest.raises(ValueError):
        vietqr.build(VietQr("97041", "123"))
    with pytest.raises(ValueError):
        vietqr.build(VietQr("970416", "123", purpose="Chuyển tiền"))  # diacritics
    with pytest.raises(ValueError):
        vietqr.build(VietQr("970416", "123", amount=0))


@settings(max_examples=200, deadline=None)
@given(
    bank=st.from_regex(r"9704\d\d", fullmatch=True),
    account=st.from_regex(r"[0-9A-Z]{6,19}", fullmatch=True),
    amount=st.one_of(st.none(), st.integers(1, 10**12)),
    purpose=st.from_regex(r"[A-Za-z0-9 ]{0,25}", fullmatch=True).map(str.strip),
    to_card=st.booleans(),
)
def test_build_parse_round_trip(bank, account, amount, purpose, to_card):
    q = VietQr(bank, account, vietqr.SERVICE_TO_CARD if to_card else vietqr.SERVICE_TO_ACCOUNT, amount, purpose)
    text = vietqr.build(q)
    back = vietqr.parse(text)
    assert ((back.bank_bin, back.account, back.amount, back.purpose, back.service)
            == (bank, account, amount, purpose, q.service))
    assert back.dynamic == (amount is not None)
    assert vietqr.build(back) == text


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=600),
                 st.text(alphabet="0123456789ABCDEF VN", max_size=300).map(lambda s: "000201" + s)))
def test_parser_only_raises_its_own_error(text):
    try:
        vietqr.parse(text)
    except VietQrError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_single_change_to_a_vector_is_caught(vietqr_vectors, data):
    line = data.draw(st.sampled_from(vietqr_vectors))
    i = data.draw(st.integers(0, len(line) - 1))
    ch = data.draw(st.characters(min_codepoint=0x20, max_codepoint=0x7E))
    mutated = line[:i] + ch + line[i + 1 :]
    if mutated == line:
        return
    with pytest.raises(VietQrError):
        vietqr.parse(mutated)
