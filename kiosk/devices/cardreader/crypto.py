"""Symmetric primitives of ICAO 9303-11: 3DES/AES CBC, retail MAC, AES CMAC, key derivation."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DES3 = "3des"
AES = "aes"


def pad(data: bytes, block: int = 8) -> bytes:
    """ISO/IEC 9797-1 padding method 2 (0x80 then zeros to the block size)."""
    data = bytes(data) + b"\x80"
    return data + b"\x00" * (-len(data) % block)


def unpad(data: bytes) -> bytes:
    i = len(data) - 1
    while i >= 0 and data[i] == 0:
        i -= 1
    if i < 0 or data[i] != 0x80:
        raise ValueError("bad padding")
    return data[:i]


def adjust_parity(key: bytes) -> bytes:
    out = bytearray()
    for b in key:
        b &= 0xFE
        out.append(b | (bin(b).count("1") % 2 == 0))
    return bytes(out)


def _des3_key(key: bytes) -> bytes:
    return key + key[:8] if len(key) == 16 else key


def des3_cbc_encrypt(key: bytes, data: bytes, iv: bytes = b"\x00" * 8) -> bytes:
    enc = Cipher(TripleDES(_des3_key(key)), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def des3_cbc_decrypt(key: bytes, data: bytes, iv: bytes = b"\x00" * 8) -> bytes:
    dec = Cipher(TripleDES(_des3_key(key)), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def _des_ecb(key8: bytes, block: bytes, decrypt: bool = False) -> bytes:
    c = Cipher(TripleDES(key8 * 3), modes.ECB())
    op = c.decryptor() if decrypt else c.encryptor()
    return op.update(block) + op.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 with DES; ``data`` must already be padded."""
    ka, kb = key[:8], key[8:16]
    if len(data) % 8:
        raise ValueError("data not padded")
    enc = Cipher(TripleDES(ka * 3), modes.CBC(b"\x00" * 8)).encryptor()
    h = (enc.update(data) + enc.finalize())[-8:]
    h = _des_ecb(kb, h, decrypt=True)
    return _des_ecb(ka, h)


def aes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = b"\x00" * 16) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = b"\x00" * 16) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_ecb(key: bytes, block: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    c = cmac.CMAC(algorithms.AES(key))
    c.update(data)
    return c.finalize()


def kdf(secret: bytes, counter: int, cipher: str = DES3, key_len: int = 16) -> bytes:
    """ICAO 9303-11 §9.7.1: KDF(K, c) for 3DES (parity adjusted) or AES-128/192/256."""
    data = bytes(secret) + counter.to_bytes(4, "big")
    if cipher == DES3:
        return adjust_parity(hashlib.sha1(data).digest()[:16])
    if key_len == 16:
        return hashlib.sha1(data).digest()[:16]
    return hashlib.sha256(data).digest()[:key_len]


def block_size(cipher: str) -> int:
    return 8 if cipher == DES3 else 16


def encrypt(cipher: str, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    if cipher == DES3:
        return des3_cbc_encrypt(key, data, iv or b"\x00" * 8)
    return aes_cbc_encrypt(key, data, iv or b"\x00" * 16)


def decrypt(cipher: str, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    if cipher == DES3:
        return des3_cbc_decrypt(key, data, iv or b"\x00" * 8)
    return aes_cbc_decrypt(key, data, iv or b"\x00" * 16)


def mac(cipher: str, key: bytes, data: bytes) -> bytes:
    """8-byte MAC: retail MAC over padded data (3DES) or truncated CMAC (AES, padded input)."""
    if cipher == DES3:
        return retail_mac(key, data)
    return aes_cmac(key, data)[:8]


def equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(bytes(a), bytes(b))
