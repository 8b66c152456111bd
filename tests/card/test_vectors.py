"""Known-answer tests: ICAO Doc 9303-11 Appendix D (BAC) and Appendix G.1 (PACE ECDH-GM)."""

from __future__ import annotations

import pytest

from kiosk.devices.cardreader import bac, crypto, pace
from kiosk.devices.cardreader.apdu import Apdu
from kiosk.devices.cardreader.channel import Channel
from kiosk.devices.cardreader.ec import BRAINPOOL_P256R1, NIST_P256
from kiosk.devices.cardreader.errors import AccessDeniedError, SecureMessagingError
from kiosk.devices.cardreader.key import bac_seed, check_digit, mrz_information
from kiosk.devices.cardreader.sm import SecureMessaging

H = bytes.fromhex


class Scripted:
    """Replays fixed responses and checks every command byte for byte."""

    def __init__(self, script):
        self.script = [(H(c), H(r)) for c, r in script]
        self.i = 0

    def transmit(self, command: bytes) -> bytes:
        expected, response = self.script[self.i]
        assert command.hex().upper() == expected.hex().upper(), f"command {self.i}"
        self.i += 1
        return response

    def done(self) -> bool:
        return self.i == len(self.script)


def test_d2_check_digits_and_mrz_information():
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"
    assert mrz_information("L898902C", "690806", "940623") == "L898902C<369080619406236"


def test_d2_key_derivation():
    seed = bac_seed("L898902C<369080619406236")
    assert seed == H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    assert crypto.kdf(seed, 1) == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert crypto.kdf(seed, 2) == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_d3_mutual_authentication_and_session_keys():
    t = Scripted([
        ("0084000008", "4608F919887022129000"),
        ("008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728",
         "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000"),
    ])
    sm = bac.authenticate(Channel(t), "L898902C<369080619406236",
                          rnd_ifd=H("781723860C06C226"), k_ifd=H("0B795240CB7049B01C19B33E32804F0B"))
    assert t.done()
    assert sm.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert sm.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert sm.ssc_bytes == H("887022120C06C226")


def test_d3_wrong_key_is_access_denied():
    class T:
        calls = 0

        def transmit(self, c):
            T.calls += 1
            return H("4608F919887022129000") if T.calls == 1 else H("6300")

    with pytest.raises(AccessDeniedError) as info:
        bac.authenticate(Channel(T()), "L898902C<369080619406236")
    assert info.value.message_key == "card.access-denied"
    assert info.value.next_step == "next.check_id_number"


def _d4_sm():
    return SecureMessaging(H("979EC13B1CBFE9DCD01AB0FED307EAE5"), H("F1CB1F1FB5ADF208806B89DC579DC1F8"),
                           H("887022120C06C226"))


def test_d4_secure_messaging_select_and_read_ef_com():
    sm = _d4_sm()
    protected = sm.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    # CC of the protected SELECT EF.COM
    assert protected.data[-8:] == H("BF8B92D635FF24F8")
    assert protected.encode() == H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    assert sm.unprotect(H("990290008E08FA855A5D4C50A8ED9000")) == (b"", 0x9000)
    assert sm.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4)).encode() == H("0CB000000D9701048E08ED6705417E96BA5500")
    assert sm.unprotect(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")) == (H("60145F01"), 0x9000)
    assert sm.protect(Apdu(0x00, 0xB0, 0x00, 0x04, le=0x12)).encode() == H("0CB000040D9701128E082EA28A70F3C7B53500")
    data, sw = sm.unprotect(H("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"))
    assert data == H("04303130365F36063034303030305C026175") and sw == 0x9000
    assert sm.ssc_bytes == H("887022120C06C22C")  # 6 increments from ...26


def test_d4_response_sw_comes_from_the_macced_do99():
    sm = _d4_sm()
    sm.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    # the trailing status word is outside the MAC: the protected DO99 is what counts
    assert sm.unprotect(H("990290008E08FA855A5D4C50A8ED9001"))[1] == 0x9000


D4_SELECT_ANSWER = "990290008E08FA855A5D4C50A8ED9000"  # Appendix D.4: DO99 9000, DO8E with its MAC
D4_READ_ANSWER = "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"


@pytest.mark.parametrize("byte", [6, 9, 13])  # first, a middle and the last byte of the MAC
def test_d4_tampered_mac_is_an_error_never_data(byte):
    """The Appendix D.4 answer verifies as it is; with one bit of its MAC flipped (and nothing
    else changed: the TLV structure stays well formed) it must be refused."""
    good = H(D4_SELECT_ANSWER)
    sm = _d4_sm()
    sm.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    assert sm.unprotect(good) == (b"", 0x9000)
    tampered = bytearray(good)
    tampered[byte] ^= 0x01
    sm = _d4_sm()
    sm.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    with pytest.raises(SecureMessagingError, match="MAC does not verify"):
        sm.unprotect(bytes(tampered))


def test_d4_tampered_mac_on_data_is_an_error_never_data():
    good = H(D4_READ_ANSWER)
    tampered = bytearray(good)
    tampered[-3] ^= 0x80  # the MAC's last byte
    for answer, ok in ((good, True), (bytes(tampered), False)):
        sm = _d4_sm()
        sm.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
        sm.unprotect(H(D4_SELECT_ANSWER))
        sm.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
        if ok:
            assert sm.unprotect(answer) == (H("60145F01"), 0x9000)
        else:
            with pytest.raises(SecureMessagingError, match="MAC does not verify"):
                sm.unprotect(answer)


def test_d4_response_without_a_mac_is_an_error():
    sm = _d4_sm()
    sm.protect(Apdu(0x00, 0xA4, 0x02, 0x0C, H("011E")))
    with pytest.raises(SecureMessagingError):
        sm.unprotect(H("990290009000"))


@pytest.mark.parametrize("cipher,key_len", [(crypto.AES, 16), (crypto.AES, 32)])
def test_pace_aes_secure_messaging_refuses_a_tampered_response_mac(cipher, key_len):
    """PACE's secure messaging (AES, CMAC): an answer the card protected verifies; the same
    answer with one MAC bit flipped is an error, never data."""
    ks_enc, ks_mac = bytes(range(key_len)), bytes(range(100, 100 + key_len))

    def pair():
        ssc = bytes(16)
        return (SecureMessaging(ks_enc, ks_mac, ssc, cipher, key_len),
                SecureMessaging(ks_enc, ks_mac, ssc, cipher, key_len))

    for flip in (None, -3, -10):
        host, card = pair()
        command = host.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
        card.card_unprotect(command)
        answer = bytearray(card.card_protect(H("60145F01"), 0x9000))
        if flip is None:
            assert host.unprotect(bytes(answer)) == (H("60145F01"), 0x9000)
            continue
        answer[flip] ^= 0x01
        with pytest.raises(SecureMessagingError, match="MAC does not verify"):
            host.unprotect(bytes(answer))


@pytest.mark.parametrize("sw", ["6987", "6988"])
def test_sm_error_status_is_an_error(sw):
    sm = _d4_sm()
    sm.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    with pytest.raises(SecureMessagingError):
        sm.unprotect(H(sw))


def test_sm_tampered_data_is_rejected():
    sm = _d4_sm()
    sm.protect(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    bad = bytearray(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
    bad[5] ^= 0x01
    with pytest.raises(SecureMessagingError):
        sm.unprotect(bytes(bad))


# ---------------------------------------------------------------- Appendix G.1: PACE ECDH-GM

G1_SCRIPT = [
    ("0022C1A412800A04007F0007020204020283010184010D", "9000"),
    ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
    ("10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E544552DCB672521879"
     "9115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
     "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F5730D8C879AAA9C9F73991E61B58F4D5"
     "2EB87A0A0C709A49DC63719363CCD13C549000"),
    ("10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C3556F3B3B186DF10B857"
     "B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
     "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9C"
     "B852E111B768B326904B59A0193776F0949000"),
    ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
]
MAP_SK_IFD = 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99
EPH_SK_IFD = 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595


def test_g1_password_key_and_nonce():
    pw = pace.mrz_password(mrz_information("T22000129", "640812", "101031"))
    k_pi = pace.password_key(pw, crypto.AES, 16)
    assert k_pi == H("89DED1B26624EC1E634C1989302849DD")
    assert crypto.aes_cbc_decrypt(k_pi, H("95A3A016522EE98D01E76CB6B98B42C3")) == H("3F00C4D39D153F2B2A214A078D899B22")


def test_g1_generic_mapping():
    c = BRAINPOOL_P256R1
    s = 0x3F00C4D39D153F2B2A214A078D899B22
    chip_map = (0x824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57,
                0x30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54)
    h = c.mul(MAP_SK_IFD, chip_map)
    assert h == (0x60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5,
                 0x0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181)
    g_hat = c.add(c.mul(s, c.g), h)
    assert g_hat == (0x8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2,
                     0x8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522)


def test_g1_full_protocol_keys_and_tokens():
    t = Scripted(G1_SCRIPT)
    info = pace.SecurityInfo(pace.ID_PACE_ECDH_GM_AES_128, 2, 13, b"")
    pw = pace.mrz_password(mrz_information("T22000129", "640812", "101031"))
    sm = pace.authenticate(Channel(t), info, pw, pace.PASSWORD_MRZ, map_sk=MAP_SK_IFD, eph_sk=EPH_SK_IFD)
    assert t.done()
    assert sm.ks_enc == H("F5F0E35C0D7161EE6724EE513A0D9A7F")
    assert sm.ks_mac == H("FE251C7858B356B24514B3BD5F4297D1")
    assert sm.cipher == crypto.AES and sm.ssc_bytes == bytes(16)


def test_g1_wrong_chip_token_is_rejected():
    script = list(G1_SCRIPT)
    script[-1] = (script[-1][0], "7C0A86083ABB9674BCE93C099000")
    info = pace.SecurityInfo(pace.ID_PACE_ECDH_GM_AES_128, 2, 13, b"")
    pw = pace.mrz_password(mrz_information("T22000129", "640812", "101031"))
    with pytest.raises(SecureMessagingError):
        pace.authenticate(Channel(Scripted(script)), info, pw, pace.PASSWORD_MRZ, MAP_SK_IFD, EPH_SK_IFD)


@pytest.mark.parametrize("curve, lib", [(BRAINPOOL_P256R1, "BrainpoolP256R1"), (NIST_P256, "SECP256R1")])
def test_curve_arithmetic_agrees_with_the_cryptography_library(curve, lib):
    from cryptography.hazmat.primitives.asymmetric import ec

    k = 0x1D2C3B4A59687766554433221100FFEEDDCCBBAA99887766554433221100AB
    key = ec.derive_private_key(k, getattr(ec, lib)())
    nums = key.public_key().public_numbers()
    assert curve.mul(k, curve.g) == (nums.x, nums.y)
    assert curve.on_curve(curve.g)
    assert curve.mul(curve.n - 1, curve.g) == (curve.gx, (-curve.gy) % curve.p)


def test_window_multiplication_matches_double_and_add():
    c = BRAINPOOL_P256R1

    def slow(k, pt):
        r = None
        for bit in bin(k)[2:]:
            r = c.add(r, r) if r is not None else None
            if bit == "1":
                r = c.add(r, pt) if r is not None else pt
        return r

    for k in (1, 2, 15, 16, 17, 0xFFFF, 0x3F00C4D39D153F2B2A214A078D899B22, c.n - 2):
        assert c.mul(k, c.g) == slow(k, c.g) == c.base_mul(k)


# ---------------------------------------------------------------- BAC: every refusal (mutation survivors)

D3_MRZ = "L898902C<369080619406236"
D3_CHALLENGE = "4608F919887022129000"
D3_ANSWER = "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000"
D3_RND_IFD, D3_K_IFD = H("781723860C06C226"), H("0B795240CB7049B01C19B33E32804F0B")


class Answers:
    """A card that answers the two BAC commands with the given responses (hex)."""

    def __init__(self, challenge: str, answer: str):
        self.responses = [H(challenge), H(answer)]

    def transmit(self, command: bytes) -> bytes:
        return self.responses.pop(0)


def _bac(challenge: str = D3_CHALLENGE, answer: str = D3_ANSWER, rnd_ifd: bytes = D3_RND_IFD):
    return bac.authenticate(Channel(Answers(challenge, answer)), D3_MRZ, rnd_ifd=rnd_ifd, k_ifd=D3_K_IFD)


def _reencrypt(plain: bytes) -> str:
    """An EXTERNAL AUTHENTICATE answer for ``plain`` with a correct MAC under the D.3 keys."""
    k_enc, k_mac = bac.derive_keys(D3_MRZ)
    e_ic = crypto.des3_cbc_encrypt(k_enc, plain)
    return (e_ic + crypto.retail_mac(k_mac, crypto.pad(e_ic))).hex() + "9000"


def _d3_plain() -> bytes:
    k_enc, _ = bac.derive_keys(D3_MRZ)
    return crypto.des3_cbc_decrypt(k_enc, H(D3_ANSWER)[:32])


def test_bac_vectors_open_the_channel():
    assert _bac().ssc_bytes == H("887022120C06C226")
    assert _bac(answer=_reencrypt(_d3_plain())).ssc_bytes == H("887022120C06C226")


@pytest.mark.parametrize("half", [slice(0, 8), slice(8, 16)], ids=["rnd_ic", "rnd_ifd"])
def test_bac_answer_with_a_wrong_nonce_is_refused(half):
    """The chip's answer must echo both nonces; a MAC-valid answer with either one wrong is a
    replay or another chip, and never opens the channel."""
    plain = bytearray(_d3_plain())
    plain[half.start] ^= 0x01
    with pytest.raises(AccessDeniedError, match="nonces"):
        _bac(answer=_reencrypt(bytes(plain)))


def test_bac_answer_with_a_wrong_mac_is_refused():
    bad = bytearray(H(D3_ANSWER))
    bad[-3] ^= 0x01
    with pytest.raises(SecureMessagingError, match="BAC response MAC"):
        _bac(answer=bad.hex())


@pytest.mark.parametrize("sw", ["6300", "6982", "63C2", "63C0", "63CF"])
def test_bac_refusal_status_words_are_access_denied(sw):
    with pytest.raises(AccessDeniedError):
        _bac(answer=sw)


@pytest.mark.parametrize("challenge,answer", [
    ("46089000", D3_ANSWER),                              # a 2-byte challenge with 9000
    ("4608F919887022126A80", D3_ANSWER),                  # 8 bytes with an error status
    (D3_CHALLENGE, D3_ANSWER[:-4] + "9001"),              # the whole answer with another status
    (D3_CHALLENGE, D3_ANSWER[:-6] + "9000"),              # 39 bytes with 9000
    (D3_CHALLENGE, "6A80"),
], ids=["short-challenge", "challenge-status", "answer-status", "short-answer", "answer-6a80"])
def test_bac_malformed_answers_are_apdu_errors(challenge, answer):
    from kiosk.devices.cardreader.errors import ApduError

    with pytest.raises(ApduError):
        _bac(challenge, answer)
