"""read_identity: access control, file reads with length fallback and resume, parsing, passive
authentication — everything between a transport and an ``Identity``."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.identity import FaceImage, Identity

from . import bac, ber, ca, pace
from .apdu import Apdu
from .channel import Channel, Stats
from .dg1 import Mrz, mrz_date, parse_dg1
from .dg2 import decode_face, parse_dg2
from .dg13 import parse_dg13
from .errors import (
    AccessDeniedError,
    ApduError,
    CancelledError,
    CardDataError,
    CardError,
    CardRemovedError,
    NotAnIdCardError,
    PassiveAuthError,
    SecureMessagingError,
)
from .key import NO_EXPIRY_FILLERS, CardKey, expiry_candidates, mrz_information
from .sod import FAILED, PassiveAuthResult, TrustStore, parse_sod, passive_authentication
from .transport import LinkLost, Transport
from .virtual.person import AID, DG_FIDS, FID_CARD_ACCESS, FID_COM, FID_SOD

log = logging.getLogger(__name__)

SHORT_SIZES = (256, 223, 192, 128)
MAX_FILE = 0x7FFF  # READ BINARY with even INS addresses 15 bits: nothing on a CCCD is larger
EXT_MAX = 65536
COM_TAGS = {0x61: 1, 0x75: 2, 0x63: 3, 0x6D: 13, 0x6E: 14, 0x6F: 15}
WANTED = (1, 2, 13, 14)
CA_PASSED = "passed"
CA_NOT_SUPPORTED = "not-supported"  # no DG14, or DG14 offers no chip authentication we can run
CA_NOT_PERFORMED = "not-performed"  # the read was asked not to (ReadOptions.chip_auth False)


@dataclass
class ReadProfile:
    """What this card accepted: remembered for the rest of the session (and by the device)."""

    extended: bool | None = None  # None: not tried yet
    short_index: int = 0

    @property
    def short_size(self) -> int:
        return SHORT_SIZES[self.short_index]


@dataclass
class ReadOptions:
    method: str = "auto"  # auto / pace / bac
    read_mode: str = "auto"  # auto / short / extended
    trust: TrustStore | None = None
    resume_window_s: float = 3.0
    max_resumes: int = 3
    groups: tuple[int, ...] = WANTED
    chip_auth: bool = True  # run chip authentication when DG14 offers it


@dataclass
class ReadReport:
    method: str = ""
    atr: bytes = b""
    stats: Stats = field(default_factory=Stats)
    seconds: float = 0.0
    cpu_s: float = 0.0
    extended: bool | None = None
    short_size: int = 0
    resumes: int = 0
    file_sizes: dict[str, int] = field(default_factory=dict)
    pa: PassiveAuthResult | None = None
    chip_auth: list[str] = field(default_factory=list)  # chip-authentication protocols DG14 offers
    # passed / not-supported (the chip has no DG14 or offers no usable chip authentication) /
    # not-performed (switched off for this read); a chip that fails it is refused (PassiveAuthError)
    chip_auth_result: str = CA_NOT_PERFORMED
    trust_store_size: int | None = None  # CSCA certificates the read was checked against (None: no store)

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "atr": self.atr.hex().upper(),
            **self.stats.as_dict(),
            "seconds": round(self.seconds, 4),
            "host_cpu_s": round(self.cpu_s, 4),
            "extended_length": self.extended,
            "short_read_size": self.short_size,
            "resumes": self.resumes,
            "file_sizes": self.file_sizes,
            "chip_authentication_offered": self.chip_auth,
            "chip_authentication": self.chip_auth_result,
            "trust_store_certificates": self.trust_store_size,
        }


class FileMissing(CardError):
    message_key = "card.file-missing"


class CardSession:
    def __init__(self, transport: Transport, key: CardKey, options: ReadOptions | None = None,
                 progress=None, cancel: threading.Event | None = None, profile: ReadProfile | None = None):
        self.transport = transport
        self.key = key
        self.opt = options or ReadOptions()
        self.progress_cb = progress
        self.cancel = cancel
        self.profile = profile or ReadProfile()
        if self.opt.read_mode == "short":
            self.profile.extended = False
        elif self.opt.read_mode == "extended":
            self.profile.extended = True
        self.report = ReadReport()
        self.channel = Channel(transport, self.report.stats)
        self.method = ""
        self._pace_info: pace.SecurityInfo | None = None
        self._mrz_info: str | None = None
        self._current_fid: int | None = None
        self._ca: ca.CaParams | None = None
        self._frac = (0.0, 0.0)

    # ------------------------------------------------------------------ helpers
    def _progress(self, fraction: float, step: str) -> None:
        if self.progress_cb is not None:
            try:
                self.progress_cb(max(0.0, min(1.0, fraction)), step)
            except Exception:
                log.exception("progress callback failed")

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise CancelledError("read cancelled")

    def _send(self, apdu: Apdu, extended: bool | None = None) -> tuple[bytes, int]:
        self._check_cancel()
        return self.channel.send(apdu, extended)

    # ------------------------------------------------------------------ access control
    def _select_applet(self) -> None:
        _, sw = self._send(Apdu(0x00, 0xA4, 0x04, 0x0C, AID))
        if sw != 0x9000:
            raise NotAnIdCardError(f"SELECT AID answered {sw:04X}")

    def _read_card_access(self) -> bytes | None:
        _, sw = self._send(Apdu(0x00, 0xA4, 0x02, 0x0C, FID_CARD_ACCESS.to_bytes(2, "big")))
        if sw != 0x9000:
            return None
        try:
            return self._read_current(FID_CARD_ACCESS)
        except (FileMissing, ApduError):
            return None

    def access(self) -> None:
        method = self.opt.method
        if self.method:  # re-opening after a lost link: same method, same secret
            if self.method == "pace":
                pace.authenticate(self.channel, self._pace_info, self.key.can.encode("ascii"), pace.PASSWORD_CAN)
                self._select_applet()
            else:
                self._select_applet()
                bac.authenticate(self.channel, self._mrz_info)
            if self._ca is not None:
                ca.authenticate(self.channel, self._ca)
            return
        self._progress(0.02, "card.step.access")
        if method in ("auto", "pace") and self.key.can:
            raw = self._read_card_access()
            info = None
            if raw is not None:
                try:
                    info = pace.choose(pace.parse_security_infos(raw))
                except CardDataError:
                    info = None
            if info is not None:
                try:
                    pace.authenticate(self.channel, info, self.key.can.encode("ascii"), pace.PASSWORD_CAN)
                except pace.PaceUnsupported as exc:
                    log.info("PACE refused (%04X); falling back", exc.sw)
                    if method == "pace":
                        raise AccessDeniedError("the chip refused PACE", message_key="card.pace-unsupported",
                                                next_step="next.ask_staff") from None
                else:
                    self._select_applet()
                    self.method, self._pace_info = "pace", info
                    return
            elif method == "pace":
                self._select_applet()  # a bank card is "not an ID card" rather than "no PACE"
                raise AccessDeniedError("no usable PACE parameters", message_key="card.pace-unsupported",
                                        next_step="next.ask_staff")
        self._select_applet()
        if not self.key.bac_possible:  # a CAN alone, or no birth date: ask for what BAC needs
            raise AccessDeniedError("BAC needs the ID number and the date of birth", message_key="card.need-dob",
                                    next_step="next.enter_date_of_birth")
        expiries: list = [self.key.expiry] if self.key.expiry else expiry_candidates(self.key.dob)
        tried = 0
        for exp in expiries:
            fillers = NO_EXPIRY_FILLERS if exp is None else (exp,)
            for e in fillers:
                info = mrz_information(self.key.document_number, self.key.dob, e)
                tried += 1
                try:
                    bac.authenticate(self.channel, info)
                except AccessDeniedError:
                    continue
                self.method, self._mrz_info = "bac", info
                return
        raise AccessDeniedError(f"BAC refused for {tried} candidate key(s)")

    def _resume(self, relink: bool = True) -> None:
        self.report.resumes += 1
        if self.report.resumes > self.opt.max_resumes:
            raise CardRemovedError("too many interruptions")
        log.info("card link interrupted; resuming (%d)", self.report.resumes)
        self.channel.sm = None
        try:
            if relink:
                self.transport.reconnect(self.opt.resume_window_s)
            self.access()
            if self._current_fid is not None:
                self._select(self._current_fid)
        except LinkLost:
            raise CardRemovedError("card left during resume") from None

    # ------------------------------------------------------------------ files
    def _select(self, fid: int) -> None:
        while True:
            try:
                _, sw = self._send(Apdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")))
                break
            except LinkLost:
                self._resume()
        if sw in (0x6A82, 0x6A80):
            raise FileMissing(f"file {fid:04X} not found")
        if sw == 0x6982:
            raise FileMissing(f"file {fid:04X} needs more access rights")
        if sw != 0x9000:
            raise ApduError(sw, "SELECT FILE")
        self._current_fid = fid

    def _read_binary(self, offset: int, want: int) -> bytes:
        while True:
            self._check_cancel()
            if offset > MAX_FILE:
                raise CardDataError("file too large")
            short = self.profile.short_size
            use_ext = self.channel.sm is not None and want > short and self.profile.extended is not False \
                and self.transport.supports_extended
            le = min(want, EXT_MAX) if use_ext else min(want, short)
            try:
                data, sw = self._send(Apdu(0x00, 0xB0, offset >> 8, offset & 0xFF, le=le), extended=use_ext)
            except LinkLost:
                if use_ext and self.profile.extended is None:
                    # a reader that chokes on extended APDUs looks like a lost link: try short
                    self.profile.extended = False
                self._resume()
                continue
            except SecureMessagingError as exc:
                if use_ext and "unprotected status" in exc.detail:
                    self.profile.extended = False  # refused outside secure messaging
                    self._resume(relink=False)
                    continue
                raise
            if sw in (0x9000, 0x6282) and data:
                if use_ext:
                    self.profile.extended = True
                return data
            if sw == 0x9000:
                raise CardDataError("empty READ BINARY answer")
            if sw == 0x6700 or (sw & 0xFF00) == 0x6C00 or sw == 0x6F00:
                if use_ext:
                    self.profile.extended = False
                    continue
                if self.profile.short_index + 1 >= len(SHORT_SIZES):
                    raise ApduError(sw, "READ BINARY")
                self.profile.short_index += 1
                continue
            if sw == 0x6B00:
                raise CardDataError("file shorter than it declares")
            if sw == 0x6982:
                raise FileMissing("file needs more access rights")
            raise ApduError(sw, "READ BINARY")

    def _read_current(self, fid: int, step: str = "", frac: tuple[float, float] | None = None) -> bytes:
        head = self._read_binary(0, 8)
        try:
            hlen, vlen = ber.header_length(head)
        except ber.BerError:
            raise CardDataError(f"file {fid:04X} has a malformed header") from None
        total = hlen + vlen
        if total > MAX_FILE:
            raise CardDataError(f"file {fid:04X} declares an absurd size")
        buf = bytearray(head[:total])
        while len(buf) < total:
            chunk = self._read_binary(len(buf), total - len(buf))
            buf += chunk[: total - len(buf)]
            if frac and step:
                self._progress(frac[0] + (frac[1] - frac[0]) * len(buf) / total, step)
        self.report.stats.file_bytes += len(buf)
        return bytes(buf)

    def chip_authentication(self, dg14: bytes) -> None:
        """Run CA when DG14 offers it; a chip that cannot finish it is a copy."""
        try:
            params = ca.params_from_dg14(dg14)
        except CardDataError:
            params = None
        if params is None:
            self.report.chip_auth_result = CA_NOT_SUPPORTED
            return
        self._progress(0.2, "card.step.chip-auth")
        try:
            ca.authenticate(self.channel, params)
        except ApduError:
            self.report.chip_auth_result = CA_NOT_SUPPORTED
            return
        except SecureMessagingError:
            self.report.chip_auth_result = CA_NOT_SUPPORTED
            self._resume(relink=False)
            return
        except LinkLost:
            self._resume()
            return self.chip_authentication(dg14)
        self._ca = params
        try:
            _, sw = self._send(Apdu(0x00, 0xA4, 0x02, 0x0C, FID_COM.to_bytes(2, "big")))
        except SecureMessagingError:
            sw = None
        if sw != 0x9000:
            err = PassiveAuthError("chip authentication failed: the chip may be a copy", check="chip-authentication")
            err.result = PassiveAuthResult(FAILED, "chip-authentication", "chip authentication failed")
            raise err
        self._current_fid = FID_COM
        self.report.chip_auth_result = CA_PASSED

    def read_file(self, fid: int, step: str, frac: tuple[float, float]) -> bytes:
        self._progress(frac[0], step)
        self._select(fid)
        data = self._read_current(fid, step, frac)
        self._progress(frac[1], step)
        return data

    # ------------------------------------------------------------------ the whole read
    def run(self) -> tuple[Identity, ReadReport]:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            self._progress(0.0, "card.step.connect")
            self.report.atr = self.transport.connect()
            self.access()
            self.report.method = self.method
            com = self.read_file(FID_COM, "card.step.read-com", (0.1, 0.13))
            listed = _com_groups(com)
            groups: dict[int, bytes] = {}
            plan = [n for n in self.opt.groups if n in listed] if listed else list(self.opt.groups)
            self.report.trust_store_size = len(self.opt.trust.certificates) \
                if self.opt.trust is not None and self.opt.trust.configured else None
            sod = self.read_file(FID_SOD, "card.step.read-sod", (0.13, 0.17))
            signed = _sod_groups(sod)
            if 14 in signed and 14 not in plan and 14 in self.opt.groups:
                # the issuer signed a DG14 that EF.COM does not list: a copied chip hiding the
                # chip-authentication key it does not have.  Read it and authenticate anyway.
                log.warning("EF.COM does not list DG14 but the SOD signs one; reading it")
                plan.append(14)
            if 14 in plan and self.opt.chip_auth:
                # DG14 before the personal data: chip authentication first (ICAO 9303-11 §6.2)
                try:
                    groups[14] = self.read_file(DG_FIDS[14], "card.step.read-dg14", (0.17, 0.2))
                except FileMissing:
                    if 14 in signed:
                        err = PassiveAuthError("the SOD signs a DG14 the chip does not give",
                                               check="chip-authentication")
                        err.result = PassiveAuthResult(FAILED, "chip-authentication", "DG14 signed but missing")
                        raise err from None
                if 14 in groups:
                    self.chip_authentication(groups[14])
                else:
                    self.report.chip_auth_result = CA_NOT_SUPPORTED
            elif self.opt.chip_auth:
                self.report.chip_auth_result = CA_NOT_SUPPORTED  # the chip offers no DG14 at all
            plan = [n for n in plan if n not in groups]
            weights = {1: 0.03, 2: 0.5, 13: 0.1, 14: 0.05}
            span = sum(weights.get(n, 0.03) for n in plan) or 1
            pos = 0.25
            for n in plan:
                width = 0.65 * weights.get(n, 0.03) / span
                try:
                    groups[n] = self.read_file(DG_FIDS[n], f"card.step.read-dg{n}", (pos, pos + width))
                except FileMissing:
                    if n in (1, 13):
                        raise CardDataError(f"DG{n} is missing") from None
                pos += width
            self._progress(0.92, "card.step.verify")
            pa = passive_authentication(sod, groups, self.opt.trust)
            self.report.pa = pa
            self.report.file_sizes = {"COM": len(com), "SOD": len(sod), **{f"DG{n}": len(v) for n, v in groups.items()}}
            if pa.status == FAILED:
                err = PassiveAuthError(pa.detail, check=pa.failed_check or "")
                err.result = pa
                raise err
            if 14 in groups:
                self.report.chip_auth = parse_dg14(groups[14])
            identity = build_identity(groups, pa, self.method)
            identity.chip_authenticated = self.report.chip_auth_result == CA_PASSED
            identity.chip_auth = self.report.chip_auth_result
            if self.key.id_number and identity.id_number and identity.id_number != self.key.id_number:
                # the last 6 digits opened the chip, but it is someone else's card
                identity.wipe()
                raise AccessDeniedError("the card holds another ID number", message_key="card.id-mismatch")
            self._progress(1.0, "card.step.done")
            return identity, self.report
        except CardError as exc:
            exc.report = self.report
            raise
        except LinkLost:
            err = CardRemovedError("card left the reader")
            err.report = self.report
            raise err from None
        except (ValueError, IndexError, KeyError, OverflowError, RecursionError) as exc:
            err = CardDataError(f"unexpected data ({type(exc).__name__})")
            err.report = self.report
            raise err from None
        finally:
            self.report.seconds = time.perf_counter() - t0
            self.report.cpu_s = time.process_time() - c0
            self.report.extended = self.profile.extended
            self.report.short_size = self.profile.short_size
            self.channel.sm = None
            try:
                self.transport.disconnect()
            except Exception:
                pass


def parse_dg14(data: bytes) -> list[str]:
    """DG14 (6E → SecurityInfos): the chip-authentication protocols the chip offers."""
    top = ber.parse(data)
    if top.tag != 0x6E:
        raise CardDataError("DG14 does not start with tag 6E")
    infos = pace.parse_security_infos(top.value)
    return [i.protocol for i in infos if i.is_chip_auth]


def _sod_groups(sod: bytes) -> set[int]:
    """The data groups the SOD signs (empty when it cannot be parsed: passive authentication
    then reports why)."""
    try:
        return set(parse_sod(sod).dg_hashes)
    except Exception:  # noqa: BLE001 - hostile bytes: passive authentication says what is wrong
        return set()


def _com_groups(com: bytes) -> set[int]:
    try:
        top = ber.parse(com)
        tags = top.need(0x5C).value
    except CardDataError:
        return set()
    return {COM_TAGS[t] for t in tags if t in COM_TAGS}


def _parse_date(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%d%m%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def build_identity(groups: dict[int, bytes], pa: PassiveAuthResult, method: str) -> Identity:
    mrz: Mrz = parse_dg1(groups[1])
    ident = Identity(access_method=method, passive_auth=pa)
    ident.document_number = mrz.document_number
    ident.mrz_name = mrz.name
    ident.id_number = mrz.id_number or ""
    ident.date_of_birth = mrz_date(mrz.dob)
    ident.sex = {"M": "Nam", "F": "Nữ"}.get(mrz.sex, "")
    ident.expiry_date = mrz_date(mrz.expiry, future=True)
    ident.full_name = mrz.name
    if 13 in groups:
        d = parse_dg13(groups[13])
        v = d.values
        if v.get(1):
            if ident.id_number and v[1] != ident.id_number:
                raise CardDataError("DG1 and DG13 disagree on the ID number")
            ident.id_number = str(v[1])
        ident.full_name = str(v.get(2) or ident.full_name)
        if v.get(3):
            ident.date_of_birth_text = str(v[3])
            ident.date_of_birth = _parse_date(str(v[3])) or ident.date_of_birth
        ident.sex = str(v.get(4) or ident.sex)
        ident.nationality = str(v.get(5, ""))
        ident.ethnicity = str(v.get(6, ""))
        ident.religion = str(v.get(7, ""))
        ident.hometown = str(v.get(8, ""))
        ident.residence = str(v.get(9, ""))
        ident.identifying_marks = str(v.get(10, ""))
        ident.issue_date = _parse_date(str(v.get(11, "")))
        if v.get(12):
            ident.expiry_text = str(v[12])
            ident.expiry_date = _parse_date(str(v[12]))
        parents = v.get(13) or ("", "")
        ident.father, ident.mother = parents[0], parents[1]
        ident.spouse = str(v.get(14, ""))
        ident.old_id_number = str(v.get(15, ""))
        ident.unknown_fields = {k: bytearray(raw) for k, raw in d.raw_unknown.items()}
        if 16 in v:
            ident.unknown_fields[16] = bytearray(str(v[16]).encode("utf-8"))
    if 2 in groups:
        rec = parse_dg2(groups[2])
        ident.face_image = bytearray(rec.data)
        ident.face_format = rec.image_type
        dec = decode_face(rec)
        ident.face = FaceImage(dec.width, dec.height, bytearray(dec.rgb), bytearray(dec.png))
    return ident


def read_identity(transport: Transport, key: CardKey, options: ReadOptions | None = None, progress=None,
                  cancel: threading.Event | None = None,
                  profile: ReadProfile | None = None) -> tuple[Identity, ReadReport]:
    """Blocking full read; raises only ``CardError`` subclasses."""
    return CardSession(transport, key, options, progress, cancel, profile).run()
