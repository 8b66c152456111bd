"""Basic Access Control (ICAO 9303-11 §4.3), host side."""

from __future__ import annotations

import os

from . import crypto
from .apdu import Apdu
from .channel import Channel
from .errors import AccessDeniedError, ApduError, SecureMessagingError
from .key import bac_seed
from .sm import SecureMessaging


def derive_keys(mrz_info: str) -> tuple[bytes, bytes]:
    seed = bac_seed(mrz_info)
    return crypto.kdf(seed, 1), crypto.kdf(seed, 2)


def authenticate(channel: Channel, mrz_info: str, rnd_ifd: bytes | None = None,
                 k_ifd: bytes | None = None) -> SecureMessaging:
    """Run BAC; returns the secure-messaging context (also installed on the channel)."""
    channel.sm = None
    k_enc, k_mac = derive_keys(mrz_info)
    rnd_ic, sw = channel.send(Apdu(0x00, 0x84, 0x00, 0x00, le=8))
    if sw != 0x9000 or len(rnd_ic) != 8:
        raise ApduError(sw, "GET CHALLENGE")
    rnd_ifd = rnd_ifd or os.urandom(8)
    k_ifd = k_ifd or os.urandom(16)
    s = rnd_ifd + rnd_ic + k_ifd
    e_ifd = crypto.des3_cbc_encrypt(k_enc, s)
    m_ifd = crypto.retail_mac(k_mac, crypto.pad(e_ifd))
    resp, sw = channel.send(Apdu(0x00, 0x82, 0x00, 0x00, e_ifd + m_ifd, le=40))
    if sw in (0x6300, 0x6982) or (sw & 0xFFF0) == 0x63C0:
        raise AccessDeniedError("BAC mutual authentication refused")
    if sw != 0x9000 or len(resp) != 40:
        raise ApduError(sw, "EXTERNAL AUTHENTICATE")
    e_ic, m_ic = resp[:32], resp[32:]
    if not crypto.equal(crypto.retail_mac(k_mac, crypto.pad(e_ic)), m_ic):
        raise SecureMessagingError("BAC response MAC")
    r = crypto.des3_cbc_decrypt(k_enc, e_ic)
    if r[:8] != rnd_ic or r[8:16] != rnd_ifd:
        raise AccessDeniedError("BAC nonces do not match")
    k_ic = r[16:32]
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    sm = SecureMessaging(crypto.kdf(seed, 1), crypto.kdf(seed, 2), rnd_ic[4:] + rnd_ifd[4:], crypto.DES3)
    channel.sm = sm
    return sm
