"""Tests written against surviving mutants of the module's security checks (scripts/mutation).

Secure messaging (kiosk/devices/cardreader/sm.py).  The host and the virtual card share one
implementation, so a bug mirrored on both sides passes every round trip: these tests pin the
bytes against the ICAO 9303-11 Appendix D.4 vectors or against a reference computed here
straight from the primitives, and build the hostile answers (a MAC that covers something else,
an injected object, a bad padding indicator) with a MAC computed outside the module.
"""

from __future__ import annotations

import pytest

from kiosk.devices.cardreader import ber, crypto
from kiosk.devices.cardreader.apdu import Apdu
from kiosk.devices.cardreader.errors import SecureMessagingError
from kiosk.devices.cardreader.sm import SecureMessaging
from tests.card.test_vectors import D4_READ_ANSWER, D4_SELECT_ANSWER, H, _d4_sm

AES_ENC = bytes(range(16))
AES_MAC = bytes(range(100, 116))


def _aes_pair(ssc: bytes = bytes(16)) -> tuple[SecureMessaging, SecureMessaging]:
    return (SecureMessaging(AES_ENC, AES_MAC, ssc, crypto.AES, 16),
            SecureMessaging(AES_ENC, AES_MAC, ssc, crypto.AES, 16))


def _ref_mac(cipher: str, ks_mac: bytes, ssc: bytes, data: bytes) -> bytes:
    """The SM MAC from the primitives: MAC over pad(SSC || data) to the cipher's block."""
    block = crypto.block_size(cipher)
    padded = crypto.pad(ssc + data, block)
    if cipher == crypto.DES3:
        return crypto.retail_mac(ks_mac, padded)
    return crypto.aes_cmac(ks_mac, padded)[:8]


def _ref_enc(cipher: str, ks_enc: bytes, ssc: bytes, plain: bytes) -> bytes:
    block = crypto.block_size(cipher)
    iv = bytes(8) if cipher == crypto.DES3 else crypto.aes_ecb(ks_enc, ssc)
    return crypto.encrypt(cipher, ks_enc, crypto.pad(plain, block), iv)


def _d4_after_select() -> SecureMessaging:
    """The D.4 host context after the SELECT exchange; the next response uses SSC ...29."""
    sm = _d4_sm()
    sm.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    sm.unprotect(H(D4_SELECT_ANSWER))
    sm.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    return sm


D4_KS_ENC = H("979EC13B1CBFE9DCD01AB0FED307EAE5")
D4_KS_MAC = H("F1CB1F1FB5ADF208806B89DC579DC1F8")
D4_SSC_READ = H("887022120C06C22A")  # the SSC of the READ BINARY response in D.4


def _d4_answer(objects: bytes, sw: str = "9000") -> bytes:
    """A response to the D.4 READ BINARY made of ``objects`` followed by a DO8E whose MAC covers
    exactly ``objects``: what a card (or a forger with the keys) would send."""
    cc = _ref_mac(crypto.DES3, D4_KS_MAC, D4_SSC_READ, objects)
    return objects + ber.tlv(0x8E, cc) + H(sw)


# ------------------------------------------------------------------ card side against D.4

def test_card_side_answers_are_the_appendix_d4_bytes():
    """The virtual card's side reproduces the D.4 answers byte for byte: no DO87 for an answer
    without data, the command it decodes is the plain command (CLA without the SM bits, no Le
    for SELECT, Le 4 for READ BINARY, no data invented)."""
    host, card = _d4_sm(), _d4_sm()
    select = Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E"))
    assert card.card_unprotect(host.protect(select)) == select
    assert card.card_protect(b"", 0x9000) == H(D4_SELECT_ANSWER)
    host.unprotect(H(D4_SELECT_ANSWER))
    read = Apdu(0x00, 0xB0, 0x00, 0x00, le=4)
    assert card.card_unprotect(host.protect(read)) == read
    assert card.card_protect(H("60145F01"), 0x9000) == H(D4_READ_ANSWER)


# ------------------------------------------------------------------ Le and CLA on both sides

@pytest.mark.parametrize("le, do97", [
    (None, None), (1, "01"), (255, "FF"), (256, "00"), (257, "0101"), (1000, "03E8"), (65535, "FFFF"),
    (65536, "0000"),
])
@pytest.mark.parametrize("cla", [0x00, 0x01, 0x10])
def test_le_is_encoded_in_do97_and_decoded_back(le, do97, cla):
    """DO97 carries Le in one byte up to 256 (256 as 00), in two above (65536 as 0000); the
    protected command is extended exactly when the plain one needs it; the card decodes the
    same command back, CLA bits other than SM (logical channel, chaining) kept."""
    host, card = _aes_pair()
    plain = Apdu(cla, 0xB0, 0x00, 0x00, le=le)
    protected = host.protect(plain)
    objs = {o.tag: o.value for o in ber.parse_all(protected.data)}
    assert objs.get(0x97) == (None if do97 is None else H(do97))
    assert protected.cla == cla | 0x0C
    ext = le is not None and le > 256
    assert protected.le == (65536 if ext else 256)
    assert protected.needs_extended() == ext
    assert card.card_unprotect(protected) == plain


@pytest.mark.parametrize("value, le", [("", 65536), ("00", 256), ("0000", 65536), ("05", 5)])
def test_card_decodes_do97_values(value, le):
    """An empty DO97 and an all-zero one ask for the most the card can send."""
    _, card = _aes_pair()
    header = bytes([0x0C, 0xB0, 0x00, 0x00])
    do97 = ber.tlv(0x97, H(value))
    cc = _ref_mac(crypto.AES, AES_MAC, (1).to_bytes(16, "big"), crypto.pad(header, 16) + do97)
    cmd = Apdu(0x0C, 0xB0, 0x00, 0x00, do97 + ber.tlv(0x8E, cc))
    assert card.card_unprotect(cmd).le == le


# ------------------------------------------------------------------ forged and shuffled commands

def test_card_refuses_a_command_whose_mac_does_not_verify():
    host, card = _aes_pair()
    cmd = host.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    forged = bytearray(cmd.data)
    forged[-1] ^= 0x01
    with pytest.raises(SecureMessagingError, match="command MAC does not verify"):
        card.card_unprotect(Apdu(cmd.cla, cmd.ins, cmd.p1, cmd.p2, bytes(forged), cmd.le))


def test_card_refuses_a_command_without_a_mac():
    host, card = _aes_pair()
    cmd = host.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    without = b"".join(o.raw for o in ber.parse_all(cmd.data) if o.tag != 0x8E)
    with pytest.raises(SecureMessagingError, match="command MAC does not verify"):
        card.card_unprotect(Apdu(cmd.cla, cmd.ins, cmd.p1, cmd.p2, without, cmd.le))


def test_card_refuses_an_object_slipped_in_before_a_genuine_command():
    """A relay puts a DO97 of its own before a genuine protected command: the MAC covers every
    object in order, so the command is refused (not read with either Le)."""
    host, card = _aes_pair()
    cmd = host.protect(Apdu(0x00, 0xD6, 0x00, 0x00, b"\x01\x02\x03", le=4))
    slipped = ber.tlv(0x97, b"\xFF") + cmd.data
    with pytest.raises(SecureMessagingError, match="command MAC does not verify"):
        card.card_unprotect(Apdu(cmd.cla, cmd.ins, cmd.p1, cmd.p2, slipped, cmd.le))


def test_card_takes_a_do85_cryptogram_without_padding_indicator():
    """DO85 (odd INS) carries the cryptogram with no padding-indicator byte; DO86 is no object
    of secure messaging here and is refused."""
    _, card = _aes_pair()
    ssc = (1).to_bytes(16, "big")
    header = bytes([0x0C, 0xB1, 0x00, 0x00])
    do85 = ber.tlv(0x85, _ref_enc(crypto.AES, AES_ENC, ssc, b"\x54\x02\x00\x10"))
    cc = _ref_mac(crypto.AES, AES_MAC, ssc, crypto.pad(header, 16) + do85)
    cmd = card.card_unprotect(Apdu(0x0C, 0xB1, 0x00, 0x00, do85 + ber.tlv(0x8E, cc)))
    assert cmd == Apdu(0x00, 0xB1, 0x00, 0x00, b"\x54\x02\x00\x10")
    _, card = _aes_pair()
    do86 = ber.tlv(0x86, do85[2:])
    cc = _ref_mac(crypto.AES, AES_MAC, ssc, crypto.pad(header, 16) + do86)
    with pytest.raises(SecureMessagingError, match="unexpected object"):
        card.card_unprotect(Apdu(0x0C, 0xB1, 0x00, 0x00, do86 + ber.tlv(0x8E, cc)))


# ------------------------------------------------------------------ hostile responses to the host

def test_host_refuses_an_object_slipped_in_before_a_genuine_response():
    """A relay prepends its own DO99 (a status word of its choosing) to the genuine D.4 READ
    answer: the MAC covers every object in order, so the answer is refused."""
    with pytest.raises(SecureMessagingError, match="MAC does not verify"):
        _d4_after_select().unprotect(H("99026A82") + H(D4_READ_ANSWER))


def test_host_takes_a_do85_response_and_refuses_do86():
    data = H("60145F01")
    do85 = ber.tlv(0x85, _ref_enc(crypto.DES3, D4_KS_ENC, D4_SSC_READ, data))
    assert _d4_after_select().unprotect(_d4_answer(do85 + H("99029000"))) == (data, 0x9000)
    do86 = ber.tlv(0x86, do85[2:])
    with pytest.raises(SecureMessagingError, match="unexpected object"):
        _d4_after_select().unprotect(_d4_answer(do86 + H("99029000")))


@pytest.mark.parametrize("do87", ["8700", "8709029FF0EC34F9922651"])
def test_host_refuses_a_do87_without_the_padding_indicator_01(do87):
    """An empty DO87, or one whose first byte is not the padding indicator 01, is refused even
    under a valid MAC (never decrypted as data)."""
    with pytest.raises(SecureMessagingError, match="bad DO87"):
        _d4_after_select().unprotect(_d4_answer(H(do87) + H("99029000")))


@pytest.mark.parametrize("cryptogram", ["", "9FF0EC34F9"])
def test_host_refuses_a_cryptogram_that_is_not_whole_blocks(cryptogram):
    """Checked before decrypting: an empty cryptogram, or one cut short of the block size."""
    do87 = ber.tlv(0x87, b"\x01" + H(cryptogram))
    with pytest.raises(SecureMessagingError, match="cryptogram length"):
        _d4_after_select().unprotect(_d4_answer(do87 + H("99029000")))


def test_host_refuses_a_response_without_do99():
    """An answer whose MAC covers only the DO87: its status word would be the plain trailer, which
    a relay can rewrite (a failed read made to look like 9000), so it is refused."""
    do87 = ber.tlv(0x87, b"\x01" + _ref_enc(crypto.DES3, D4_KS_ENC, D4_SSC_READ, H("60145F01")))
    with pytest.raises(SecureMessagingError, match="without DO99"):
        _d4_after_select().unprotect(_d4_answer(do87, "9000"))


# ------------------------------------------------------------------ AES against the primitives

def test_aes_protect_matches_a_reference_built_from_the_primitives():
    """AES secure messaging (PACE): DO87 is AES-CBC with IV = E(KSenc, SSC), the MAC is CMAC over
    the SSC and the data padded to 16 bytes, truncated to 8 — not padded to 8 as for 3DES."""
    host, card = _aes_pair()
    plain = Apdu(0x00, 0xD6, 0x00, 0x00, H("0102030405"), le=4)
    protected = host.protect(plain)
    ssc = (1).to_bytes(16, "big")
    do87 = ber.tlv(0x87, b"\x01" + _ref_enc(crypto.AES, AES_ENC, ssc, H("0102030405")))
    do97 = ber.tlv(0x97, b"\x04")
    cc = _ref_mac(crypto.AES, AES_MAC, ssc, crypto.pad(H("0CD60000"), 16) + do87 + do97)
    assert protected.data == do87 + do97 + ber.tlv(0x8E, cc)
    card.card_unprotect(protected)
    ssc = (2).to_bytes(16, "big")
    do87 = ber.tlv(0x87, b"\x01" + _ref_enc(crypto.AES, AES_ENC, ssc, H("60145F01")))
    do99 = ber.tlv(0x99, H("9000"))
    answer = do87 + do99 + ber.tlv(0x8E, _ref_mac(crypto.AES, AES_MAC, ssc, do87 + do99)) + H("9000")
    assert card.card_protect(H("60145F01"), 0x9000) == answer
    assert host.unprotect(answer) == (H("60145F01"), 0x9000)


# ------------------------------------------------------------------ the send sequence counter

@pytest.mark.parametrize("ssc_len, cipher", [(8, crypto.DES3), (16, crypto.AES)])
def test_ssc_wraps_to_zero_at_its_width(ssc_len, cipher):
    """The SSC counts modulo 2^(8·its length): from all FF the next command uses all zeros, and
    the exchange still verifies on both sides."""
    key = bytes(range(16))
    host = SecureMessaging(key, key[::-1], b"\xFF" * ssc_len, cipher)
    card = SecureMessaging(key, key[::-1], b"\xFF" * ssc_len, cipher)
    command = host.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert host.ssc_bytes == bytes(ssc_len)
    card.card_unprotect(command)
    assert host.unprotect(card.card_protect(H("60145F01"), 0x9000)) == (H("60145F01"), 0x9000)
    assert host.ssc_bytes == (1).to_bytes(ssc_len, "big")
