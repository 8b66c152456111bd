"""Chip Authentication (ICAO 9303-11 §6.2) with ECDH and AES, host side.

DG14 holds the chip's static CA public key; the host sends an ephemeral key (MSE:Set AT +
GENERAL AUTHENTICATE) and both sides restart secure messaging with keys from the shared
secret.  Only a chip holding the private key can go on talking: a cloned chip (copied data,
no key) fails at the next command.  3DES chip authentication (MSE:Set KAT) is not offered by
the CCCD and is not implemented.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ber, crypto
from .apdu import Apdu
from .channel import Channel
from .errors import ApduError, CardDataError, SecureMessagingError
from .pace import CA_PREFIX, CIPHERS, PK_PREFIX, parse_security_infos
from .sm import SecureMessaging


@dataclass(frozen=True)
class CaParams:
    protocol: str
    key_id: int | None
    public_key_der: bytes  # SubjectPublicKeyInfo

    @property
    def cipher(self) -> tuple[str, int]:
        return CIPHERS[int(self.protocol.rsplit(".", 1)[1])]


def params_from_dg14(dg14: bytes) -> CaParams | None:
    """The ECDH-AES chip-authentication parameters DG14 offers, or None."""
    top = ber.parse(dg14)
    if top.tag != 0x6E:
        raise CardDataError("DG14 does not start with tag 6E")
    infos = parse_security_infos(top.value)
    protocols = [i for i in infos if i.protocol.startswith(CA_PREFIX + ".2.")
                 and i.protocol.rsplit(".", 1)[1] in ("2", "3", "4")]
    keys = []
    for i in infos:
        if i.protocol == PK_PREFIX + ".2":
            parts = ber.parse(i.raw).children()
            if len(parts) >= 2 and parts[1].tag == 0x30:
                key_id = ber.decode_int(parts[2].value) if len(parts) > 2 and parts[2].tag == 0x02 else None
                keys.append((key_id, parts[1].raw))
    if not protocols or not keys:
        return None
    proto = protocols[0]
    key_id, spki = next(((k, s) for k, s in keys if proto.parameter_id in (None, k)), keys[0])
    return CaParams(proto.protocol, key_id, spki)


def authenticate(channel: Channel, params: CaParams) -> SecureMessaging:
    """Run CA over the current secure channel; installs and returns the new SM context."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        chip_key = serialization.load_der_public_key(params.public_key_der)
    except Exception:
        raise CardDataError("DG14 chip-authentication key unreadable") from None
    if not isinstance(chip_key, ec.EllipticCurvePublicKey):
        raise CardDataError("DG14 chip-authentication key is not an EC key")
    eph = ec.generate_private_key(chip_key.curve)
    shared = eph.exchange(ec.ECDH(), chip_key)
    point = eph.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    mse = ber.tlv(0x80, ber.oid_body(params.protocol))
    if params.key_id is not None:
        key_id = params.key_id.to_bytes(max(1, (params.key_id.bit_length() + 7) // 8), "big")
        mse += ber.tlv(0x84, key_id)
    _, sw = channel.send(Apdu(0x00, 0x22, 0x41, 0xA4, mse))
    if sw != 0x9000:
        raise ApduError(sw, "MSE:Set AT (chip authentication)")
    _, sw = channel.send(Apdu(0x00, 0x86, 0x00, 0x00, ber.tlv(0x7C, ber.tlv(0x80, point)), le=256))
    if sw != 0x9000:
        raise ApduError(sw, "GENERAL AUTHENTICATE (chip authentication)")
    cipher, key_len = params.cipher
    sm = SecureMessaging(crypto.kdf(shared, 1, cipher, key_len), crypto.kdf(shared, 2, cipher, key_len),
                         b"\x00" * crypto.block_size(cipher), cipher, key_len)
    channel.sm = sm
    return sm


__all__ = ["CaParams", "params_from_dg14", "authenticate", "SecureMessagingError"]
