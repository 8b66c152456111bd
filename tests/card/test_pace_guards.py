"""Tests written against surviving mutants of the module's security checks (scripts/mutation).

PACE (kiosk/devices/cardreader/pace.py).  The hostile chips here are the Appendix G.1 exchange
with one answer changed (tests/card/test_vectors.py), or a chip answering a fixed list; the
keys are checked against values computed here from hashlib, or against the virtual card's own
derivation (it does not go through pace.authenticate).
"""

from __future__ import annotations

import hashlib

import pytest

from kiosk.devices.cardreader import ber, crypto, pace
from kiosk.devices.cardreader.channel import Channel
from kiosk.devices.cardreader.ec import BRAINPOOL_P256R1
from kiosk.devices.cardreader.errors import AccessDeniedError, ApduError
from kiosk.devices.cardreader.key import mrz_information
from kiosk.devices.cardreader.transport import InProcessTransport, VirtualSlot
from kiosk.devices.cardreader.virtual import VirtualCard
from tests.card.test_vectors import EPH_SK_IFD, G1_SCRIPT, MAP_SK_IFD, H, Scripted

OID = "0.4.0.127.0.7.2.2.4.2."  # + the cipher arc: 1 3DES, 2 AES-128, 3 AES-192, 4 AES-256
G1_INFO = pace.SecurityInfo(pace.ID_PACE_ECDH_GM_AES_128, 2, 13, b"")
G1_PASSWORD = pace.mrz_password(mrz_information("T22000129", "640812", "101031"))
G1_NONCE = 0x3F00C4D39D153F2B2A214A078D899B22  # s, decrypted from the chip's first answer


class Answers:
    """A chip that answers each command with the next response of a list, and records them."""

    def __init__(self, *responses: str):
        self.responses = [H(r) for r in responses]
        self.commands: list[bytes] = []

    def transmit(self, command: bytes) -> bytes:
        self.commands.append(command)
        return self.responses[len(self.commands) - 1]


def _g1(step: int, answer: str):
    """Appendix G.1 with the chip's answer to command ``step`` (0 = MSE:Set AT) replaced."""
    script = list(G1_SCRIPT)
    script[step] = (script[step][0], answer)
    return pace.authenticate(Channel(Scripted(script)), G1_INFO, G1_PASSWORD, pace.PASSWORD_MRZ,
                             MAP_SK_IFD, EPH_SK_IFD)


def _protocol_error(step: int, answer: str) -> AccessDeniedError:
    with pytest.raises(AccessDeniedError) as info:
        _g1(step, answer)
    return info.value


# ------------------------------------------------------------------ status words of GENERAL AUTHENTICATE

@pytest.mark.parametrize("sw", ["6300", "6982", "6A80", "63C0", "63C1", "63C2", "63CF"])
def test_general_authenticate_refusals_are_access_denied(sw):
    """A wrong password (6300, 63Cx: tries left), a refused or malformed step: the key does not
    open the chip."""
    with pytest.raises(AccessDeniedError) as info:
        pace.authenticate(Channel(Answers("9000", sw)), G1_INFO, G1_PASSWORD)
    assert info.value.message_key == "card.access-denied"


@pytest.mark.parametrize("sw", ["6A88", "6D00", "6F00", "6310", "6283", "6400"])
def test_other_general_authenticate_status_words_are_apdu_errors(sw):
    """Any other status word is a protocol error carrying its status word, not a wrong key."""
    with pytest.raises(ApduError) as info:
        pace.authenticate(Channel(Answers("9000", sw)), G1_INFO, G1_PASSWORD)
    assert not isinstance(info.value, AccessDeniedError)
    assert info.value.sw == int(sw, 16)
    assert "GENERAL AUTHENTICATE" in str(info.value)


@pytest.mark.parametrize("sw", [0x6982, 0x6A80, 0x6D00])
def test_mse_refused_is_pace_unsupported_with_its_status_word(sw):
    with pytest.raises(pace.PaceUnsupported) as info:
        pace.authenticate(Channel(Answers(f"{sw:04X}")), G1_INFO, G1_PASSWORD)
    assert info.value.sw == sw


# ------------------------------------------------------------------ malformed or hostile answers

@pytest.mark.parametrize("answer", ["7F9000", "30009000", "7C058001959000"])
def test_malformed_general_authenticate_answer_is_a_protocol_error(answer):
    """Bad BER, or an answer that is not dynamic authentication data (7C)."""
    error = _protocol_error(1, answer)
    assert error.message_key == "card.protocol"


@pytest.mark.parametrize("answer", [
    "7C009000",  # no encrypted nonce
    "7C0280009000",  # an empty one
    "7C11800F95A3A016522EE98D01E76CB6B98B42C39000",  # 15 bytes: not whole AES blocks
])
def test_missing_or_malformed_encrypted_nonce_is_a_protocol_error(answer):
    error = _protocol_error(1, answer)
    assert error.message_key == "card.protocol" and "nonce" in str(error)


def test_3des_nonce_of_one_block_is_taken():
    """For 3DES the nonce is checked against the 8-byte block, not AES's 16: an 8-byte nonce
    goes on to the mapping step (here refused by the chip)."""
    info = pace.SecurityInfo(OID + "1", 2, 13, b"")
    chip = Answers("9000", "7C0A80080123456789ABCDEF9000", "6F00")
    with pytest.raises(ApduError) as err:
        pace.authenticate(Channel(chip), info, b"123456", map_sk=MAP_SK_IFD)
    assert err.value.sw == 0x6F00 and len(chip.commands) == 3


def test_missing_mapping_data_is_a_protocol_error():
    error = _protocol_error(2, "7C009000")
    assert error.message_key == "card.protocol" and "mapping" in str(error)


def test_mapping_to_the_point_at_infinity_is_refused():
    """A chip answering the mapping with -(s / map_sk)·G makes the mapped generator
    s·G + map_sk·(chip point) the point at infinity."""
    c = BRAINPOOL_P256R1
    k = (-G1_NONCE * pow(MAP_SK_IFD, -1, c.n)) % c.n
    chip_map = c.encode(c.base_mul(k))
    answer = ber.tlv(0x7C, ber.tlv(0x82, chip_map)).hex() + "9000"
    error = _protocol_error(2, answer)
    assert error.message_key == "card.protocol" and "degenerate mapping" in str(error)


def test_missing_ephemeral_key_is_a_protocol_error():
    error = _protocol_error(3, "7C009000")
    assert error.message_key == "card.protocol" and "ephemeral" in str(error)


def test_chip_echoing_our_ephemeral_key_is_refused():
    """A reflection: the chip sends back the terminal's own ephemeral public key (from the
    G.1 command 83) as its own."""
    ours = ber.parse(H(G1_SCRIPT[3][0])[5:-1]).need(0x83).value
    error = _protocol_error(3, ber.tlv(0x7C, ber.tlv(0x84, ours)).hex() + "9000")
    assert error.message_key == "card.protocol" and "echoed" in str(error)


# ------------------------------------------------------------------ keys

@pytest.mark.parametrize("arc, key_len", [(1, 16), (2, 16), (3, 24), (4, 32)])
def test_password_key_is_the_icao_kdf_with_counter_3(arc, key_len):
    """K_pi = KDF(password, 3): SHA-1 for 3DES (parity adjusted) and AES-128, SHA-256 for
    AES-192/256, cut to the key length."""
    cipher, n = pace.CIPHERS[arc]
    assert n == key_len
    data = b"123456" + b"\x00\x00\x00\x03"
    if cipher == crypto.DES3:
        expected = crypto.adjust_parity(hashlib.sha1(data).digest()[:16])
        assert all(bin(b).count("1") % 2 == 1 for b in expected)
    elif key_len == 16:
        expected = hashlib.sha1(data).digest()[:16]
    else:
        expected = hashlib.sha256(data).digest()[:key_len]
    assert pace.password_key(b"123456", cipher, key_len) == expected


@pytest.mark.parametrize("arc", [1, 2, 4])
def test_session_keys_are_the_ones_the_chip_derives(person, arc):
    """The session keys are KDF(K, 1) and KDF(K, 2) for the negotiated cipher — for 3DES with
    the parity bits the chip sets — the same bytes the virtual chip derives on its side."""
    card = VirtualCard(person, set())
    slot = VirtualSlot()
    slot.place(card)
    transport = InProcessTransport(slot)
    transport.connect()
    info = pace.SecurityInfo(OID + str(arc), 2, 13, b"")
    sm = pace.authenticate(Channel(transport), info, person.can.encode("ascii"), pace.PASSWORD_CAN)
    assert (sm.ks_enc, sm.ks_mac) == (card.sm.ks_enc, card.sm.ks_mac)
    assert len(sm.ks_enc) == pace.CIPHERS[arc][1]


# ------------------------------------------------------------------ choosing the protocol

def _info(arc: int, curve: int) -> pace.SecurityInfo:
    return pace.SecurityInfo(OID + str(arc), 2, curve, b"")


@pytest.mark.parametrize("offered, chosen", [
    ([(1, 13), (4, 12), (2, 12), (3, 13), (2, 13)], (2, 13)),  # AES-128 on brainpoolP256r1 first
    ([(1, 13), (4, 13), (2, 12)], (2, 12)),  # then AES-128 on another curve
    ([(1, 13), (4, 13), (3, 13)], (3, 13)),  # then any AES…
    ([(1, 13), (4, 12)], (4, 12)),
    ([(1, 12), (1, 13)], (1, 13)),  # …and 3DES only when nothing else is offered
])
def test_choose_prefers_aes_128_then_any_aes_then_3des(offered, chosen):
    """Never 3DES while the chip offers AES; the order of the list does not matter."""
    for infos in (offered, offered[::-1]):
        pick = pace.choose([_info(*i) for i in infos])
        assert (int(pick.protocol.rsplit(".", 1)[1]), pick.parameter_id) == chosen


def test_choose_without_a_usable_pace_info_is_none():
    assert pace.choose([]) is None
    assert pace.choose([_info(2, 99), pace.SecurityInfo("0.4.0.127.0.7.2.2.3.2.1", 1, None, b"")]) is None


# ------------------------------------------------------------------ EF.CardAccess

def _security_info(*parts: bytes) -> bytes:
    return ber.set_of(ber.seq(*parts))


def test_security_info_version_and_parameter_are_read():
    infos = pace.parse_security_infos(_security_info(ber.oid(OID + "2"), ber.tlv(0x02, b"\x02"),
                                                     ber.tlv(0x02, b"\x0d")))
    assert [(i.protocol, i.version, i.parameter_id) for i in infos] == [(OID + "2", 2, 13)]
    infos = pace.parse_security_infos(_security_info(ber.oid(OID + "2"), ber.tlv(0x02, b"\x02")))
    assert [(i.version, i.parameter_id) for i in infos] == [(2, None)]
    (only_oid,) = pace.parse_security_infos(_security_info(ber.oid(OID + "2")))
    assert (only_oid.version, only_oid.parameter_id) == (None, None)


def test_security_info_whose_second_element_is_not_an_integer_has_no_version():
    """A ChipAuthenticationPublicKeyInfo: OID then a SEQUENCE (the key), no version."""
    (info,) = pace.parse_security_infos(_security_info(ber.oid("0.4.0.127.0.7.2.2.1.2"),
                                                       ber.seq(ber.tlv(0x02, b"\x05"))))
    assert info.version is None and info.parameter_id is None


@pytest.mark.parametrize("body", [b"", ber.tlv(0x02, b"\x02"), ber.tlv(0x04, b"\x04\x00\x7f")])
def test_security_info_without_a_leading_oid_is_bad_data(body):
    from kiosk.devices.cardreader.errors import CardDataError

    with pytest.raises(CardDataError, match="without protocol OID"):
        pace.parse_security_infos(_security_info(body))
