"""PACE (ICAO 9303-11 §4.4) with generic mapping over ECDH, host side, and EF.CardAccess.

Supported: id-PACE-ECDH-GM-{3DES, AES-CBC-CMAC-128/192/256} on brainpoolP256r1 (13) and
NIST P-256 (12).  Passwords: CAN (the last 6 digits of the CCCD number) or MRZ.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from . import ber, crypto
from .apdu import Apdu
from .channel import Channel
from .ec import STANDARD_CURVES, Curve, random_scalar
from .errors import AccessDeniedError, ApduError, CardDataError, SecureMessagingError
from .sm import SecureMessaging

PACE_PREFIX = "0.4.0.127.0.7.2.2.4"
ECDH_GM = "2"
CA_PREFIX = "0.4.0.127.0.7.2.2.3"
PK_PREFIX = "0.4.0.127.0.7.2.2.1"

# last arc -> (cipher, key length)
CIPHERS = {1: (crypto.DES3, 16), 2: (crypto.AES, 16), 3: (crypto.AES, 24), 4: (crypto.AES, 32)}

PASSWORD_MRZ = 1
PASSWORD_CAN = 2

ID_PACE_ECDH_GM_AES_128 = "0.4.0.127.0.7.2.2.4.2.2"


@dataclass(frozen=True)
class SecurityInfo:
    protocol: str
    version: int | None
    parameter_id: int | None
    raw: bytes

    @property
    def is_pace(self) -> bool:
        return self.protocol.startswith(PACE_PREFIX + ".")

    @property
    def is_chip_auth(self) -> bool:
        return self.protocol.startswith(CA_PREFIX + ".")

    @property
    def pace_supported(self) -> bool:
        if not self.is_pace:
            return False
        arcs = self.protocol[len(PACE_PREFIX) + 1 :].split(".")
        return (
            len(arcs) == 2
            and arcs[0] == ECDH_GM
            and arcs[1].isdigit()
            and int(arcs[1]) in CIPHERS
            and (self.parameter_id in STANDARD_CURVES)
        )


def parse_security_infos(data: bytes) -> list[SecurityInfo]:
    """EF.CardAccess / DG14: SET OF SecurityInfo. Unknown infos are kept; bad BER raises."""
    top = ber.parse(data)
    if top.tag != 0x31:
        raise CardDataError("SecurityInfos is not a SET")
    out = []
    for item in top.children():
        if item.tag != 0x30:
            raise CardDataError("SecurityInfo is not a SEQUENCE")
        parts = item.children()
        if not parts or parts[0].tag != 0x06:
            raise CardDataError("SecurityInfo without protocol OID")
        proto = ber.decode_oid(parts[0].value)
        version = ber.decode_int(parts[1].value) if len(parts) > 1 and parts[1].tag == 0x02 else None
        param = ber.decode_int(parts[2].value) if len(parts) > 2 and parts[2].tag == 0x02 else None
        out.append(SecurityInfo(proto, version, param, item.raw))
    return out


def choose(infos: list[SecurityInfo]) -> SecurityInfo | None:
    usable = [i for i in infos if i.pace_supported]
    # prefer AES-128 on brainpoolP256r1, then any AES, then 3DES (the cipher first: the OID's
    # last arc sorts 3DES, 1, before AES-192/256, 3 and 4)
    usable.sort(key=lambda i: (CIPHERS[int(i.protocol.rsplit(".", 1)[1])][0] == crypto.DES3,
                               i.protocol != ID_PACE_ECDH_GM_AES_128, i.parameter_id != 13, i.protocol))
    return usable[0] if usable else None


def password_key(password: bytes, cipher: str, key_len: int) -> bytes:
    return crypto.kdf(password, 3, cipher, key_len)


def mrz_password(mrz_info: str) -> bytes:
    return hashlib.sha1(mrz_info.encode("ascii")).digest()


def public_key_object(oid: str, curve: Curve, pt) -> bytes:
    return ber.tlv(0x7F49, ber.oid(oid) + ber.tlv(0x86, curve.encode(pt)))


def auth_token(cipher: str, ks_mac: bytes, oid: str, curve: Curve, pt) -> bytes:
    data = public_key_object(oid, curve, pt)
    if cipher == crypto.DES3:
        return crypto.retail_mac(ks_mac, crypto.pad(data))
    return crypto.aes_cmac(ks_mac, data)[:8]


def _ga(channel: Channel, payload: bytes, last: bool) -> bytes:
    cla = 0x00 if last else 0x10
    data, sw = channel.send(Apdu(cla, 0x86, 0x00, 0x00, ber.tlv(0x7C, payload), le=256))
    if sw != 0x9000:
        if sw in (0x6300, 0x6982, 0x6A80) or (sw & 0xFFF0) == 0x63C0:
            raise AccessDeniedError(f"GENERAL AUTHENTICATE refused ({sw:04X})")
        raise ApduError(sw, "GENERAL AUTHENTICATE")
    try:
        top = ber.parse(data)
        if top.tag != 0x7C:
            raise CardDataError("dynamic authentication data missing")
        return top
    except CardDataError:
        raise AccessDeniedError("malformed GENERAL AUTHENTICATE answer", message_key="card.protocol") from None


class PaceUnsupported(Exception):
    """The chip refused MSE:Set AT (e.g. 6982 on some readers): fall back to BAC."""

    def __init__(self, sw: int):
        self.sw = sw
        super().__init__(f"PACE refused: {sw:04X}")


def authenticate(
    channel: Channel,
    info: SecurityInfo,
    password: bytes,
    password_ref: int = PASSWORD_CAN,
    map_sk: int | None = None,
    eph_sk: int | None = None,
) -> SecureMessaging:
    """Run PACE-ECDH-GM; returns the AES/3DES secure messaging (also installed on the channel)."""
    channel.sm = None
    cipher, key_len = CIPHERS[int(info.protocol.rsplit(".", 1)[1])]
    curve = STANDARD_CURVES[info.parameter_id]
    mse = ber.tlv(0x80, ber.oid_body(info.protocol)) + ber.tlv(0x83, bytes([password_ref]))
    mse += ber.tlv(0x84, bytes([info.parameter_id]))
    _, sw = channel.send(Apdu(0x00, 0x22, 0xC1, 0xA4, mse))
    if sw != 0x9000:
        raise PaceUnsupported(sw)

    # 1. encrypted nonce
    top = _ga(channel, b"", last=False)
    z = top.find(0x80)
    if z is None or not z.value or len(z.value) % crypto.block_size(cipher):
        raise AccessDeniedError("no encrypted nonce", message_key="card.protocol")
    k_pi = password_key(password, cipher, key_len)
    s = int.from_bytes(crypto.decrypt(cipher, k_pi, z.value), "big")

    # 2. generic mapping
    map_sk = map_sk or random_scalar(curve)
    map_pk = curve.base_mul(map_sk)
    top = _ga(channel, ber.tlv(0x81, curve.encode(map_pk)), last=False)
    chip_map = top.find(0x82)
    if chip_map is None:
        raise AccessDeniedError("no mapping data", message_key="card.protocol")
    chip_map_pk = curve.decode(chip_map.value)
    h = curve.mul(map_sk, chip_map_pk)
    g_hat = curve.add(curve.base_mul(s), h)
    if g_hat is None:
        raise AccessDeniedError("degenerate mapping", message_key="card.protocol")

    # 3. key agreement on the mapped generator
    eph_sk = eph_sk or random_scalar(curve)
    eph_pk = curve.mul(eph_sk, g_hat)
    top = _ga(channel, ber.tlv(0x83, curve.encode(eph_pk)), last=False)
    chip_eph = top.find(0x84)
    if chip_eph is None:
        raise AccessDeniedError("no ephemeral key", message_key="card.protocol")
    chip_eph_pk = curve.decode(chip_eph.value)
    if chip_eph_pk == eph_pk:
        raise AccessDeniedError("chip echoed our key", message_key="card.protocol")
    shared = curve.mul(eph_sk, chip_eph_pk)
    if shared is None:
        raise AccessDeniedError("degenerate shared secret", message_key="card.protocol")
    k = shared[0].to_bytes(curve.size, "big")
    ks_enc = crypto.kdf(k, 1, cipher, key_len)
    ks_mac = crypto.kdf(k, 2, cipher, key_len)

    # 4. mutual authentication
    t_ifd = auth_token(cipher, ks_mac, info.protocol, curve, chip_eph_pk)
    top = _ga(channel, ber.tlv(0x85, t_ifd), last=True)
    t_ic = top.find(0x86)
    expected = auth_token(cipher, ks_mac, info.protocol, curve, eph_pk)
    if t_ic is None or not crypto.equal(t_ic.value, expected):
        raise SecureMessagingError("chip authentication token does not verify")
    ssc = b"\x00" * crypto.block_size(cipher)
    sm = SecureMessaging(ks_enc, ks_mac, ssc, cipher, key_len)
    channel.sm = sm
    return sm
