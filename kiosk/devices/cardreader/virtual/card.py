"""The card side of the CCCD's eMRTD applet.

Behaviour follows ICAO 9303-10/11 and the domain notes: SELECT 3F00 answers 6D00, EF.CardAccess
is selected directly, PACE (ECDH-GM, CAN or MRZ) and BAC open secure messaging, protected
files need it, DG3 answers 6982, short protected answers that would not fit 256 bytes answer
6700, extended length works unless the ``no-extended`` fault refuses it.

Faults (``faults`` set):
  corrupt-dg      DG13 is altered after the SOD was signed (passive authentication must fail)
  corrupt-dg1     DG1 altered after signing
  no-extended     extended-length APDUs are refused with a plain 6700
  drop            the link drops once in the middle of the DG2 read (card resets itself)
  vanish          the card leaves the field in the middle of the DG2 read and stays away
  no-pace         MSE:Set AT for PACE answers 6982 (the card works with BAC)
  no-card-access  EF.CardAccess is absent (6A82)
  bank-card       no eMRTD applet at all (a bank card): SELECT AID answers 6A82
  clone           the data is genuine but the chip lacks the chip-authentication private key
                  (a copied card): chip authentication must fail
"""

from __future__ import annotations

import os
import threading

from .. import apdu as apdu_mod
from .. import crypto
from ..apdu import Apdu
from ..bac import derive_keys
from ..ec import STANDARD_CURVES, random_scalar
from ..errors import CardDataError, SecureMessagingError
from ..key import mrz_information
from ..pace import CIPHERS, PACE_PREFIX, auth_token, mrz_password, password_key
from ..sm import SecureMessaging
from .person import AID, CA_KEY_SEED, FID_CARD_ACCESS, Person, build_files

FAULTS = ("corrupt-dg", "corrupt-dg1", "no-extended", "drop", "vanish", "no-pace", "no-card-access", "bank-card",
          "clone", "no-chip-auth")

OPEN_FILES = {FID_CARD_ACCESS}
TA_PROTECTED = {0x0103}


def _atr() -> bytes:
    hist = b"VNCCCD01"
    body = bytes([0x80 | len(hist), 0x80, 0x01]) + hist
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3B" + body + bytes([tck])


ATR = _atr()


class LinkDropped(Exception):
    """The radio link dropped (the card resets; with ``gone`` it also left the field)."""

    def __init__(self, gone: bool = False):
        self.gone = gone
        super().__init__("link dropped")


def _sw(sw: int) -> tuple[bytes, int]:
    return b"", sw


class VirtualCard:
    def __init__(self, person: Person, faults: set[str] | frozenset[str] = frozenset(), pki=None,
                 ext_limit: int = 65536, drop_after_reads: int = 3):
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        self.person = person
        self.faults = set(faults)
        # no-chip-auth: an issuer-signed chip with no DG14 (no chip authentication possible)
        self.files = build_files(person, pki, without=(14,) if "no-chip-auth" in self.faults else ())
        if "corrupt-dg" in self.faults:
            self._corrupt(0x010D)
        if "corrupt-dg1" in self.faults:
            self._corrupt(0x0101)
        if "no-card-access" in self.faults:
            self.files.pop(FID_CARD_ACCESS, None)
        from cryptography.hazmat.primitives.asymmetric import ec as _ec

        seed = CA_KEY_SEED + (1 if "clone" in self.faults else 0)
        self.ca_key = _ec.derive_private_key(seed, _ec.BrainpoolP256R1())
        self.ext_limit = ext_limit
        self.drop_after_reads = drop_after_reads
        self._dropped = False
        self._dg2_reads = 0
        self._lock = threading.Lock()
        self.counters = {"apdus": 0, "resets": 0}
        self.reset()

    def _corrupt(self, fid: int) -> None:
        data = bytearray(self.files[fid])
        data[-3] ^= 0x01
        self.files[fid] = bytes(data)

    @property
    def atr(self) -> bytes:
        return ATR

    # ------------------------------------------------------------------ life cycle
    def reset(self) -> None:
        self.applet = False
        self.current: int | None = None
        self.sm: SecureMessaging | None = None
        self.rnd_ic: bytes | None = None
        self.pace: dict | None = None
        self.ca_pending: tuple[str, int] | None = None
        self._next_sm: SecureMessaging | None = None
        self.counters["resets"] = self.counters.get("resets", 0) + 1

    power_on = reset

    def power_off(self) -> None:
        self.reset()

    # ------------------------------------------------------------------ APDU entry
    def transmit(self, raw: bytes) -> bytes:
        with self._lock:
            self.counters["apdus"] += 1
            try:
                cmd = apdu_mod.decode(raw)
            except CardDataError:
                return b"\x67\x00"
            extended = apdu_mod.is_extended(raw)
            if extended and "no-extended" in self.faults:
                return b"\x67\x00"
            if cmd.cla & 0x0C == 0x0C:
                if self.sm is None:
                    return b"\x69\x88"
                try:
                    plain = self.sm.card_unprotect(cmd)
                except SecureMessagingError:
                    self.sm = None
                    return b"\x69\x88"
                data, sw = self._dispatch(plain, protected=True, extended=extended)
                if self.sm is None:  # the command ended the session
                    return sw.to_bytes(2, "big")
                response = self.sm.card_protect(data, sw)
                if self._next_sm is not None:  # chip authentication: new keys from now on
                    self.sm, self._next_sm = self._next_sm, None
                return response
            if self.sm is not None:  # a plain command aborts secure messaging
                self.sm = None
            data, sw = self._dispatch(cmd, protected=False, extended=extended)
            return data + sw.to_bytes(2, "big")

    def _dispatch(self, cmd: Apdu, protected: bool, extended: bool) -> tuple[bytes, int]:
        if cmd.cla & 0x80:
            return _sw(0x6E00)
        handler = {
            0xA4: self._select,
            0xB0: self._read_binary,
            0x84: self._get_challenge,
            0x82: self._external_authenticate,
            0x22: self._mse,
            0x86: self._general_authenticate,
        }.get(cmd.ins)
        if handler is None:
            return _sw(0x6D00)
        return handler(cmd, protected, extended)

    # ------------------------------------------------------------------ files
    def _select(self, cmd: Apdu, protected: bool, extended: bool):
        if cmd.p1 == 0x04:
            if cmd.data == AID and "bank-card" not in self.faults:
                self.applet = True
                self.current = None
                return _sw(0x9000)
            return _sw(0x6A82)
        if cmd.p1 in (0x00, 0x02) and len(cmd.data) == 2:
            fid = int.from_bytes(cmd.data, "big")
            if fid == 0x3F00:
                return _sw(0x6D00)
            if fid not in self.files or (fid not in OPEN_FILES and not self.applet):
                return _sw(0x6A82)
            if fid not in OPEN_FILES and not protected:
                return _sw(0x6982)
            self.current = fid
            return _sw(0x9000)
        return _sw(0x6A86)

    def _read_binary(self, cmd: Apdu, protected: bool, extended: bool):
        if cmd.p1 & 0x80:
            sfi = cmd.p1 & 0x1F
            fid = next((f for f in self.files if f & 0x1F == sfi and (f >> 8) == 0x01), None)
            if fid is None:
                return _sw(0x6A82)
            if fid not in OPEN_FILES and not protected:
                return _sw(0x6982)
            self.current = fid
            offset = cmd.p2
        else:
            offset = ((cmd.p1 & 0x7F) << 8) | cmd.p2
        if self.current is None:
            return _sw(0x6986)
        if self.current in TA_PROTECTED:
            return _sw(0x6982)
        if self.current not in OPEN_FILES and not protected:
            return _sw(0x6982)
        content = self.files[self.current]
        if offset > len(content):
            return _sw(0x6B00)
        le = cmd.le or 256
        n = min(le, len(content) - offset, self.ext_limit if extended else 256)
        if protected and not extended and _protected_size(n, self.sm.cipher) > 256:
            return _sw(0x6700)
        if self.current == 0x0102 and ("drop" in self.faults or "vanish" in self.faults):
            self._dg2_reads += 1
            if self._dg2_reads == self.drop_after_reads and not self._dropped:
                self._dropped = True
                self.reset()
                raise LinkDropped(gone="vanish" in self.faults)
        return content[offset : offset + n], 0x9000

    # ------------------------------------------------------------------ BAC
    def _get_challenge(self, cmd: Apdu, protected: bool, extended: bool):
        if cmd.le not in (8, 256) or cmd.data:
            return _sw(0x6700)
        self.rnd_ic = os.urandom(8)
        return self.rnd_ic, 0x9000

    def _mrz_info(self) -> str:
        p = self.person
        exp = p.expiry_date.strftime("%y%m%d") if p.expiry_date else "<<<<<<"
        return mrz_information(p.doc_number, p.date_of_birth, exp)

    def _external_authenticate(self, cmd: Apdu, protected: bool, extended: bool):
        if self.rnd_ic is None or not self.applet:
            return _sw(0x6985)
        if len(cmd.data) != 40:
            return _sw(0x6700)
        rnd_ic, self.rnd_ic = self.rnd_ic, None
        k_enc, k_mac = derive_keys(self._mrz_info())
        e_ifd, m_ifd = cmd.data[:32], cmd.data[32:]
        if not crypto.equal(crypto.retail_mac(k_mac, crypto.pad(e_ifd)), m_ifd):
            return _sw(0x6300)
        s = crypto.des3_cbc_decrypt(k_enc, e_ifd)
        rnd_ifd, rnd_ic2, k_ifd = s[:8], s[8:16], s[16:32]
        if rnd_ic2 != rnd_ic:
            return _sw(0x6300)
        k_ic = os.urandom(16)
        e_ic = crypto.des3_cbc_encrypt(k_enc, rnd_ic + rnd_ifd + k_ic)
        m_ic = crypto.retail_mac(k_mac, crypto.pad(e_ic))
        seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        self._pending_sm = SecureMessaging(crypto.kdf(seed, 1), crypto.kdf(seed, 2), rnd_ic[4:] + rnd_ifd[4:])
        # the answer goes out in plain; SM starts with the next command
        self.sm = self._pending_sm
        return e_ic + m_ic, 0x9000

    # ------------------------------------------------------------------ PACE
    def _mse(self, cmd: Apdu, protected: bool, extended: bool):
        if (cmd.p1, cmd.p2) == (0x41, 0xA4):
            return self._mse_chip_auth(cmd, protected)
        if (cmd.p1, cmd.p2) != (0xC1, 0xA4):
            return _sw(0x6A86)
        if "no-pace" in self.faults:
            return _sw(0x6982)
        from .. import ber

        try:
            objs = {t.tag: t.value for t in ber.parse_all(cmd.data)}
            oid = ber.decode_oid(objs[0x80])
            ref = objs[0x83][0]
            param = objs.get(0x84, b"\x0d")[0]
        except (CardDataError, KeyError, IndexError):
            return _sw(0x6A80)
        arcs = oid[len(PACE_PREFIX) + 1 :].split(".") if oid.startswith(PACE_PREFIX + ".") else []
        if len(arcs) != 2 or arcs[0] != "2" or int(arcs[1]) not in CIPHERS or param not in STANDARD_CURVES:
            return _sw(0x6A80)
        if ref == 2:
            password = self.person.can.encode("ascii")
        elif ref == 1:
            password = mrz_password(self._mrz_info())
        else:
            return _sw(0x6A88)
        cipher, key_len = CIPHERS[int(arcs[1])]
        self.pace = {"oid": oid, "cipher": cipher, "key_len": key_len, "curve": STANDARD_CURVES[param],
                     "password": password, "step": 0}
        self.sm = None
        return _sw(0x9000)

    def _mse_chip_auth(self, cmd: Apdu, protected: bool):
        from .. import ber
        from ..pace import CA_PREFIX

        if not protected:
            return _sw(0x6982)
        try:
            objs = {t.tag: t.value for t in ber.parse_all(cmd.data)}
            oid = ber.decode_oid(objs[0x80])
        except (CardDataError, KeyError):
            return _sw(0x6A80)
        arc = oid.rsplit(".", 1)[1] if oid.startswith(CA_PREFIX + ".2.") else ""
        if not arc.isdigit() or int(arc) not in (2, 3, 4):
            return _sw(0x6A80)
        self.ca_pending = CIPHERS[int(arc)]
        return _sw(0x9000)

    def _chip_authenticate(self, cmd: Apdu, protected: bool):
        from cryptography.hazmat.primitives.asymmetric import ec as _ec

        from .. import ber

        cipher, key_len = self.ca_pending
        self.ca_pending = None
        try:
            inner = {t.tag: t.value for t in ber.parse(cmd.data).children()}
            their = _ec.EllipticCurvePublicKey.from_encoded_point(_ec.BrainpoolP256R1(), inner[0x80])
            shared = self.ca_key.exchange(_ec.ECDH(), their)
        except Exception:
            return _sw(0x6A80)
        self._next_sm = SecureMessaging(crypto.kdf(shared, 1, cipher, key_len), crypto.kdf(shared, 2, cipher, key_len),
                                        b"\x00" * crypto.block_size(cipher), cipher, key_len)
        return b"\x7c\x00", 0x9000

    def _general_authenticate(self, cmd: Apdu, protected: bool, extended: bool):
        from .. import ber

        if self.ca_pending is not None and protected and self.pace is None:
            return self._chip_authenticate(cmd, protected)
        st = self.pace
        if st is None:
            return _sw(0x6985)
        try:
            top = ber.parse(cmd.data)
            if top.tag != 0x7C:
                raise CardDataError("no 7C")
            inner = {t.tag: t.value for t in top.children()}
        except CardDataError:
            self.pace = None
            return _sw(0x6A80)
        curve, cipher = st["curve"], st["cipher"]
        step = st["step"]
        try:
            if step == 0 and not inner:
                s = os.urandom(16)
                st["s"] = int.from_bytes(s, "big")
                k_pi = password_key(st["password"], cipher, st["key_len"])
                z = crypto.encrypt(cipher, k_pi, s)
                st["step"] = 1
                return ber.tlv(0x7C, ber.tlv(0x80, z)), 0x9000
            if step == 1 and 0x81 in inner:
                their = curve.decode(inner[0x81])
                sk = random_scalar(curve)
                h = curve.mul(sk, their)
                st["g_hat"] = curve.add(curve.mul(st["s"], curve.g), h)
                st["step"] = 2
                return ber.tlv(0x7C, ber.tlv(0x82, curve.encode(curve.mul(sk, curve.g)))), 0x9000
            if step == 2 and 0x83 in inner:
                their = curve.decode(inner[0x83])
                sk = random_scalar(curve)
                mine = curve.mul(sk, st["g_hat"])
                if mine == their:
                    raise CardDataError("same key")
                k = curve.mul(sk, their)[0].to_bytes(curve.size, "big")
                st.update(their=their, mine=mine, ks_enc=crypto.kdf(k, 1, cipher, st["key_len"]),
                          ks_mac=crypto.kdf(k, 2, cipher, st["key_len"]), step=3)
                return ber.tlv(0x7C, ber.tlv(0x84, curve.encode(mine))), 0x9000
            if step == 3 and 0x85 in inner and cmd.cla & 0x10 == 0:
                expected = auth_token(cipher, st["ks_mac"], st["oid"], curve, st["mine"])
                self.pace = None
                if not crypto.equal(expected, inner[0x85]):
                    return _sw(0x6300)
                token = auth_token(cipher, st["ks_mac"], st["oid"], curve, st["their"])
                self.sm = SecureMessaging(st["ks_enc"], st["ks_mac"], b"\x00" * crypto.block_size(cipher), cipher,
                                          st["key_len"])
                return ber.tlv(0x7C, ber.tlv(0x86, token)), 0x9000
        except Exception:  # a bad point or protocol misuse from the terminal
            self.pace = None
            return _sw(0x6A80)
        self.pace = None
        return _sw(0x6985)


def _protected_size(n: int, cipher: str) -> int:
    if n == 0:
        return 14
    block = crypto.block_size(cipher)
    enc = n + 1 + (-(n + 1) % block)
    length = enc + 1
    len_len = 1 if length < 0x80 else (2 if length < 0x100 else 3)
    return 1 + len_len + length + 14
