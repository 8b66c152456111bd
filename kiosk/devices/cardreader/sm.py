"""Secure messaging (ICAO 9303-11 §9.8) for both sides of the link.

The host (``protect`` / ``unprotect``) and the virtual card (``card_unprotect`` /
``card_protect``) share one implementation of the send sequence counter, padding, DO87/DO97/
DO99/DO8E and the MAC, so a bug cannot hide by being mirrored — the Appendix D vectors pin the
host side byte for byte.
"""

from __future__ import annotations

from . import ber, crypto
from .apdu import Apdu
from .errors import SecureMessagingError


class SecureMessaging:
    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: bytes, cipher: str = crypto.DES3, key_len: int = 16):
        self.ks_enc = bytes(ks_enc)
        self.ks_mac = bytes(ks_mac)
        self.cipher = cipher
        self.block = crypto.block_size(cipher)
        self.ssc = int.from_bytes(ssc, "big")
        self.ssc_len = len(ssc)

    # ------------------------------------------------------------ shared helpers
    @property
    def ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.ssc_len, "big")

    def _inc(self) -> None:
        self.ssc = (self.ssc + 1) % (1 << (8 * self.ssc_len))

    def _iv(self) -> bytes:
        if self.cipher == crypto.DES3:
            return b"\x00" * 8
        return crypto.aes_ecb(self.ks_enc, self.ssc_bytes)

    def _mac(self, data: bytes) -> bytes:
        return crypto.mac(self.cipher, self.ks_mac, crypto.pad(self.ssc_bytes + data, self.block))

    def _enc(self, plain: bytes) -> bytes:
        return crypto.encrypt(self.cipher, self.ks_enc, crypto.pad(plain, self.block), self._iv())

    def _dec(self, cipher_text: bytes) -> bytes:
        if not cipher_text or len(cipher_text) % self.block:
            raise SecureMessagingError("cryptogram length")
        try:
            return crypto.unpad(crypto.decrypt(self.cipher, self.ks_enc, cipher_text, self._iv()))
        except ValueError:
            raise SecureMessagingError("cryptogram padding") from None

    # ------------------------------------------------------------ host side
    def protect(self, apdu: Apdu) -> Apdu:
        """The protected form of a plain command; increments the SSC."""
        self._inc()
        cla = apdu.cla | 0x0C
        header = bytes([cla, apdu.ins, apdu.p1, apdu.p2])
        do87 = b""
        if apdu.data:
            do87 = ber.tlv(0x87, b"\x01" + self._enc(apdu.data))
        do97 = b""
        if apdu.le is not None:
            if apdu.le > 256:
                le = b"\x00\x00" if apdu.le >= 65536 else apdu.le.to_bytes(2, "big")
            else:
                le = bytes([apdu.le & 0xFF])
            do97 = ber.tlv(0x97, le)
        cc = self._mac(crypto.pad(header, self.block) + do87 + do97)
        body = do87 + do97 + ber.tlv(0x8E, cc)
        ext = apdu.needs_extended() or len(body) > 255
        return Apdu(cla, apdu.ins, apdu.p1, apdu.p2, body, 65536 if ext else 256)

    def unprotect(self, response: bytes) -> tuple[bytes, int]:
        """(plain data, status word) of a protected response; MAC checked; increments SSC."""
        if len(response) < 2:
            raise SecureMessagingError("response shorter than a status word")
        sw = int.from_bytes(response[-2:], "big")
        body = response[:-2]
        self._inc()
        if not body:
            if sw in (0x6987, 0x6988):
                raise SecureMessagingError(f"card reports SM error {sw:04X}")
            if sw == 0x9000:
                raise SecureMessagingError("unprotected success")
            # a plain error: the chip has left secure messaging
            raise SecureMessagingError(f"unprotected status {sw:04X}")
        try:
            objs = ber.parse_all(body)
        except ber.BerError:
            raise SecureMessagingError("malformed protected response") from None
        do87 = do99 = do8e = None
        macced = b""
        for obj in objs:
            if obj.tag in (0x85, 0x87):
                do87 = obj
                macced += obj.raw
            elif obj.tag == 0x99:
                do99 = obj
                macced += obj.raw
            elif obj.tag == 0x8E:
                do8e = obj
            else:
                raise SecureMessagingError(f"unexpected object {obj.tag:X}")
        if do8e is None:
            raise SecureMessagingError("response without MAC")
        if not crypto.equal(self._mac(macced), do8e.value):
            raise SecureMessagingError("response MAC does not verify")
        # the status word counts only inside the MAC: DO99 is mandatory in a protected response
        # (ICAO 9303-11), the plain trailer is what a relay could rewrite
        if do99 is None:
            raise SecureMessagingError("response without DO99")
        if len(do99.value) != 2:
            raise SecureMessagingError("bad DO99")
        sw = int.from_bytes(do99.value, "big")
        data = b""
        if do87 is not None:
            value = do87.value
            if do87.tag == 0x87:
                if not value or value[0] != 0x01:
                    raise SecureMessagingError("bad DO87")
                value = value[1:]
            data = self._dec(value)
        return data, sw

    # ------------------------------------------------------------ card side
    def card_unprotect(self, apdu: Apdu) -> Apdu:
        """Check and decrypt a protected command (virtual card). Raises SecureMessagingError."""
        self._inc()
        header = bytes([apdu.cla, apdu.ins, apdu.p1, apdu.p2])
        try:
            objs = ber.parse_all(apdu.data)
        except ber.BerError:
            raise SecureMessagingError("malformed protected command") from None
        macced = b""
        data = b""
        le = None
        cc = None
        for obj in objs:
            if obj.tag in (0x87, 0x85):
                macced += obj.raw
                value = obj.value[1:] if obj.tag == 0x87 else obj.value
                data = value
            elif obj.tag == 0x97:
                macced += obj.raw
                n = int.from_bytes(obj.value, "big") if obj.value else 0
                le = n or (256 if len(obj.value) == 1 else 65536)
            elif obj.tag == 0x8E:
                cc = obj.value
            else:
                raise SecureMessagingError("unexpected object")
        if cc is None or not crypto.equal(self._mac(crypto.pad(header, self.block) + macced), cc):
            raise SecureMessagingError("command MAC does not verify")
        plain = self._dec(data) if data else b""
        return Apdu(apdu.cla & ~0x0C & 0xFF, apdu.ins, apdu.p1, apdu.p2, plain, le)

    def card_protect(self, data: bytes, sw: int) -> bytes:
        self._inc()
        do87 = ber.tlv(0x87, b"\x01" + self._enc(data)) if data else b""
        do99 = ber.tlv(0x99, sw.to_bytes(2, "big"))
        cc = self._mac(do87 + do99)
        return do87 + do99 + ber.tlv(0x8E, cc) + sw.to_bytes(2, "big")
