"""Device and system diagnostics: what a technician can learn without opening the cabinet.

Plain Python, used by ``kiosk doctor`` and by the technician screen.  Every function returns
plain dicts (JSON-ready) and never personal data: card data is never read (the test read
selects the ID application and stops), APDU data bytes are redacted, the log tail is re-masked
and limited to neutral fields, the diagnostic bundle is checked for ID-shaped numbers before
it is written.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import shutil
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiosk import __version__
from kiosk.devices.base import DeviceKind, DeviceState, DeviceStatus, MediaState
from kiosk.text import mask_numbers

log = logging.getLogger("kiosk.diagnostics")

_ID_WORD_RX = re.compile(r"(?<![0-9A-Za-z])(\d{12}|\d{9})(?![0-9A-Za-z])")
STARTED = time.time()
# the eMRTD application: selecting it proves the reader talks to an ID card, reads nothing personal
SELECT_EMRTD = bytes.fromhex("00A4040C07A0000002471001")
LOW_DISK_BYTES = 500 * 1024 * 1024


# -- APDU log -------------------------------------------------------------------------------


class ApduLog:
    """Command headers and status words only: every data byte is redacted."""

    def __init__(self, keep: int = 200):
        self.keep = keep
        self.lines: list[str] = []

    def command(self, apdu: bytes) -> None:
        head = apdu[:4].hex(" ").upper()
        rest = len(apdu) - 4
        note = f" Lc={apdu[4]} [{apdu[4]} data bytes redacted]" if rest > 1 else (f" Le={apdu[4]}" if rest == 1 else "")
        self._add(f"> {head}{note}")

    def response(self, resp: bytes) -> None:
        sw = resp[-2:].hex().upper() if len(resp) >= 2 else "----"
        n = max(0, len(resp) - 2)
        self._add(f"< SW {sw}" + (f" [{n} data bytes redacted]" if n else ""))

    def _add(self, line: str) -> None:
        self.lines.append(line)
        del self.lines[: max(0, len(self.lines) - self.keep)]


class LoggedTransport:
    """Wraps a card transport, recording a redacted APDU log."""

    def __init__(self, inner, apdu_log: ApduLog):
        self.inner = inner
        self.log = apdu_log

    def connect(self) -> bytes:
        return self.inner.connect()

    def transmit(self, apdu: bytes) -> bytes:
        self.log.command(bytes(apdu))
        resp = self.inner.transmit(apdu)
        self.log.response(bytes(resp))
        return resp

    def disconnect(self) -> None:
        self.inner.disconnect()


# -- card reader ------------------------------------------------------------------------------


def card_readers(reader) -> list[dict]:
    """Readers the kiosk can see (PC/SC, or the simulated slot)."""
    if getattr(reader, "simulated", False):
        slot = getattr(reader, "slot", None)
        return [{"reader": getattr(slot, "name", reader.status.name), "card_present": bool(reader.card_present()),
                 "atr": (getattr(reader, "_atr", b"") or b"").hex().upper(), "simulated": True}]
    from kiosk.devices.cardreader.transport import reader_states

    return reader_states()


def card_test_read(reader) -> dict:
    """Power the card, select the ID application, power off.  Reads no personal data."""
    apdus = ApduLog()
    out: dict[str, Any] = {"ok": False, "atr": "", "select_sw": "", "apdu_log": apdus.lines, "error": None}
    try:
        transport = LoggedTransport(reader._transport(), apdus)
        t0 = time.perf_counter()
        atr = transport.connect()
        out["atr"] = bytes(atr).hex().upper()
        try:
            resp = transport.transmit(SELECT_EMRTD)
        finally:
            transport.disconnect()
        out["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        out["select_sw"] = bytes(resp[-2:]).hex().upper()
        out["ok"] = out["select_sw"] == "9000"
        if not out["ok"]:
            out["error"] = f"the card answered SW {out['select_sw']} to SELECT eMRTD (not a chip ID card?)"
    except Exception as exc:  # noqa: BLE001 - every failure is a finding
        out["error"] = f"{type(exc).__name__}: {getattr(exc, 'message_key', '') or mask_numbers(str(exc))}"
    return out


def card_report(reader) -> dict:
    st = reader.status
    report = {"status": st.as_dict(), "readers": card_readers(reader), "atr": "", "last_read": None}
    if st.detail.startswith("ATR "):
        report["atr"] = st.detail[4:]
    last = getattr(reader, "last_report", None)
    if last is not None:
        stats = getattr(last, "stats", None)
        report["last_read"] = {"method": getattr(last, "method", None),
                               "apdus": getattr(stats, "apdus", None)}
    return report


# -- camera / QR ----------------------------------------------------------------------------


def camera_report(qr, seconds: float = 0.0) -> dict:
    """Frames per second, decode rate and time, scans; measured over ``seconds`` if given."""
    pipeline = getattr(qr, "pipeline", None)
    out: dict[str, Any] = {"status": qr.status.as_dict(), "camera": pipeline is not None,
                           "running": bool(getattr(qr, "running", False)),
                           "scans": getattr(qr, "scans", 0), "duplicates": getattr(qr, "duplicates", 0)}
    if pipeline is None:
        return out
    g0, d0, t0 = pipeline.grabbed, pipeline.decoded_frames, time.monotonic()
    if seconds > 0:
        time.sleep(seconds)
    g1, d1, ms1, t1 = pipeline.grabbed, pipeline.decoded_frames, pipeline.decode_ms_total, time.monotonic()
    span = max(t1 - t0, 1e-6)
    out.update({
        "frames": g1, "decoded_frames": d1, "dropped": pipeline.dropped, "bad_frames": pipeline.bad_frames,
        "avg_decode_ms": round(ms1 / d1, 1) if d1 else None,
    })
    if seconds > 0:
        out["fps"] = round((g1 - g0) / span, 1)
        out["decode_rate"] = round((d1 - d0) / span, 1)
    return out


# -- printer --------------------------------------------------------------------------------


def printer_report(printer, refresh: bool = True) -> dict:
    status = printer.refresh() if refresh else printer.status
    last = getattr(printer, "last_status", None)
    store = getattr(printer, "reprint_store", None)
    return {
        "status": status.as_dict(),
        "paper": status.media.value,
        "sensor": last.describe() if last is not None else "no answer",
        "failed_receipts": len(store.failed()) if store is not None else 0,
        "recent_receipts": len(store.list()) if store is not None else 0,
    }


def printer_test_page(printer, settings, devices_statuses=(), lang: str = "vi") -> dict:
    from kiosk import receipts

    page = receipts.self_test(
        list(devices_statuses), office=settings.kiosk.location_name, kiosk_id=settings.kiosk.kiosk_id,
        profile=settings.devices.printer_profile, paper_mm=settings.devices.printer_paper_mm,
        text_mode=settings.devices.printer_text_mode, lang=lang)
    result = printer.print_receipt(page)
    return {"ok": bool(result.ok), "message_key": result.message_key, "receipt_id": result.receipt_id,
            "bytes": result.bytes_sent, "seconds": round(result.seconds, 2)}


def printer_cut(printer) -> dict:
    """Feed a few lines and cut (GS V 66 n): proves the cutter without wasting a page."""
    try:
        with printer._lock:
            printer.transport.begin_job()
            printer.transport.write(b"\n\n\n\x1dVB\x00")
        status = printer.refresh()
        return {"ok": not status.needs_technician, "paper": status.media.value, "error": status.last_error}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


# -- gateway --------------------------------------------------------------------------------


def tls_expiry(url: str, timeout: float = 3.0, verify: bool = True) -> dict:
    """Days until the gateway's TLS certificate expires (https only)."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return {"tls": False}
    host, port = parts.hostname, parts.port or 443
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw, \
                ctx.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
        from cryptography import x509

        cert = x509.load_der_x509_certificate(der)
        not_after = cert.not_valid_after_utc.timestamp()
        return {"tls": True, "not_after": time.strftime("%Y-%m-%d", time.gmtime(not_after)),
                "days_left": int((not_after - time.time()) // 86400)}
    except Exception as exc:  # noqa: BLE001
        return {"tls": True, "error": f"{type(exc).__name__}: {exc}"}


def open_outbox(settings):
    """The outbox for a report, or None when it cannot be opened (``outbox_report`` with the
    settings then says why: a key problem is never repaired here, nor a key created)."""
    from kiosk.gateway import outbox as outbox_mod

    try:
        if outbox_mod.check(settings):
            return None
        return outbox_mod.Outbox.from_settings(settings)
    except Exception:  # noqa: BLE001
        log.exception("outbox could not be opened")
        return None


def outbox_report(outbox, settings=None) -> dict:
    """Depth, set-aside items ("failed", the older name) and the last error; with ``settings``,
    also what would stop the outbox from opening at the next start (``problem``: the key file
    missing while items wait, too short, replaced, readable by others)."""
    problem = None
    if settings is not None:
        from kiosk.gateway.outbox import check

        try:
            problem = check(settings)
        except Exception as exc:  # noqa: BLE001
            problem = f"{type(exc).__name__}: {exc}"
    if outbox is None:
        out: dict[str, Any] = {"available": False}
    else:
        try:
            out = {"available": True, "depth": outbox.depth(), "failed": outbox.set_aside(),
                   "last_error": outbox.last_error()}
        except Exception as exc:  # noqa: BLE001
            out = {"available": False, "error": str(exc)}
    if problem:
        out["problem"] = problem
    return out


def gateway_report(client, board=None, outbox=None, settings=None) -> dict:
    """One heartbeat (reachability, latency) published as the GATEWAY status; TLS expiry; outbox."""
    from kiosk.gateway.monitor import GatewayMonitor

    out: dict[str, Any] = {}
    try:
        monitor = GatewayMonitor(client, board, outbox=outbox)
        status = monitor.check()
        out["status"] = status.as_dict()
        out["reachable"] = status.state is DeviceState.ONLINE
        m = re.search(r"latency (\d+) ms", status.detail)
        out["latency_ms"] = int(m.group(1)) if m else None
        out["url"] = monitor.name
    except Exception as exc:  # noqa: BLE001
        out.update(reachable=False, error=f"{type(exc).__name__}: {exc}")
    verify = bool(settings.gateway.verify_tls) if settings is not None else True
    out["certificate"] = tls_expiry(getattr(client, "base_url", ""), verify=verify)
    out["outbox"] = outbox_report(outbox, settings)
    return out


# -- system ---------------------------------------------------------------------------------


def _meminfo() -> dict:
    info = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("MemTotal", "MemAvailable"):
                    info[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    return info


def _uptime() -> float | None:
    try:
        with open("/proc/uptime") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError):
        return None


def system_report(settings) -> dict:
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    disk = shutil.disk_usage(data_dir)
    mem = _meminfo()
    return {
        "version": __version__,
        "kiosk_id": settings.kiosk.kiosk_id,
        "python": platform.python_version(),
        "host": platform.node(),
        "disk_free_bytes": disk.free,
        "disk_total_bytes": disk.total,
        "disk_low": disk.free < LOW_DISK_BYTES,
        "memory_total_bytes": mem.get("MemTotal"),
        "memory_available_bytes": mem.get("MemAvailable"),
        "system_uptime_s": _uptime(),
        "kiosk_uptime_s": round(time.time() - STARTED, 1),
    }


NEUTRAL_LOG_FIELDS = ("t", "level", "logger", "event", "device", "task", "kind", "key", "reason", "journey",
                      "outcome", "source", "decoder", "receipt_id")


def log_tail(settings, n: int = 50) -> list[dict]:
    """The last ``n`` log records: neutral fields only, ID-shaped numbers masked again."""
    path = settings.data_dir / "logs" / "kiosk.log"
    if not path.exists():
        return []
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 256 * 1024))
        lines = f.read().decode("utf-8", "replace").splitlines()[-n:]
    out = []
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict):
            out.append({k: mask_numbers(str(rec[k])) if isinstance(rec[k], str) else rec[k]
                        for k in NEUTRAL_LOG_FIELDS if k in rec})
    return out


def config_report(path=None) -> dict:
    from kiosk import config

    p = config.config_path(path)
    try:
        config.load(p)
    except config.ConfigError as exc:
        return {"path": str(p), "valid": False, "problems": exc.problems}
    return {"path": str(p), "valid": True, "problems": []}


# -- doctor ---------------------------------------------------------------------------------


@dataclass
class DoctorReport:
    devices: list[DeviceStatus]
    gateway: dict
    outbox: dict
    config: dict
    system: dict
    problems: list[str] = field(default_factory=list)

    @property
    def needs_technician(self) -> bool:
        return bool(self.problems)

    def as_dict(self) -> dict:
        return {"needs_technician": self.needs_technician, "problems": self.problems,
                "devices": [d.as_dict() for d in self.devices], "gateway": self.gateway, "outbox": self.outbox,
                "config": self.config, "system": self.system}


def doctor(settings, devices, gateway_client=None, *, outbox=None, config_path=None) -> DoctorReport:
    """Everything ``kiosk doctor`` reports; ``problems`` lists what needs a technician."""
    board = devices.board
    for driver in devices.drivers.values():
        try:
            driver.refresh()
        except Exception as exc:  # noqa: BLE001
            driver.set_status(state=DeviceState.HARDWARE_ERROR, last_error=f"refresh failed: {exc}")
    gw: dict[str, Any]
    if gateway_client is not None:
        gw = gateway_report(gateway_client, board, outbox, settings)
    else:
        gw = {"reachable": False, "error": "no gateway client"}
        board.publish(DeviceStatus(DeviceKind.GATEWAY, settings.gateway.url, DeviceState.OFFLINE,
                                   last_error="gateway client could not be made"))
    ob = outbox_report(outbox, settings)
    cfg = config_report(config_path)
    sysr = system_report(settings)
    statuses = board.all()
    problems = [f"{s.kind.value}: {s.state.value}"
                + (f" / {s.media.value}" if s.media not in (MediaState.NOT_APPLICABLE, MediaState.UNKNOWN) else "")
                + (f" ({s.last_error})" if s.last_error else "")
                for s in statuses if s.needs_technician]
    if not cfg["valid"]:
        problems.append(f"config: {len(cfg['problems'])} problem(s)")
    if sysr["disk_low"]:
        problems.append(f"disk: only {sysr['disk_free_bytes'] // (1024 * 1024)} MB free")
    if ob.get("problem"):
        problems.append(f"outbox: {ob['problem']} (the kiosk will not start until this is repaired)")
    if ob.get("failed"):
        problems.append(f"outbox: {ob['failed']} item(s) set aside for staff (refused or unreadable answer)")
    cert = gw.get("certificate") or {}
    if cert.get("days_left") is not None and cert["days_left"] < 14:
        problems.append(f"gateway certificate expires in {cert['days_left']} days")
    return DoctorReport(statuses, gw, ob, cfg, sysr, problems)


# -- diagnostic bundle ----------------------------------------------------------------------

_SECRET_KEYS = ("pin_hash", "token_file", "client_key", "outbox_key_file")


def sanitized_config(settings) -> dict:
    out = {}
    for name, section in settings.sections.items():
        values = section.as_dict()
        out[name] = {k: ("<set>" if v else "") if k in _SECRET_KEYS else v for k, v in values.items()}
    return out


class PersonalDataFound(Exception):
    message_key = "technician.bundle_refused"
    next_step = "next.call_technician"


def _holds_id_number(obj) -> bool:
    """True if a text value anywhere in ``obj`` holds an unmasked 9- or 12-digit number
    (numbers stored as numbers are measurements: bytes, seconds, timestamps)."""
    if isinstance(obj, str):
        # bounded by non-alphanumerics: digits inside hex (an ATR, a hash) are not ID numbers
        return bool(_ID_WORD_RX.search(obj))
    if isinstance(obj, dict):
        return any(_holds_id_number(k) or _holds_id_number(v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return any(_holds_id_number(v) for v in obj)
    return False


def export_bundle(dest: str | os.PathLike, settings, devices, *, gateway: dict | None = None,
                  outbox=None, audit=None, extra: dict | None = None) -> Path:
    """Write a diagnostic bundle folder under ``dest`` (a USB stick) and return its path.

    Contents: device statuses, system facts, config (secrets replaced by ``<set>``), the
    neutral log tail, the audit chain check and tail, outbox counters.  Refused (nothing
    written) if anything in it looks like an ID number.
    """
    from kiosk.audit import verify

    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    folder = Path(dest) / f"kiosk-diag-{settings.kiosk.kiosk_id}-{stamp}"
    files = {
        "devices.json": [s.as_dict() for s in devices.board.all()],
        "system.json": system_report(settings),
        "config.json": sanitized_config(settings),
        "log-tail.json": log_tail(settings, 500),
        "outbox.json": outbox_report(outbox),
        "gateway.json": gateway or {},
        "audit-verify.json": verify(settings.data_dir / "audit").as_dict(),
        "audit-tail.json": audit.tail(200) if audit is not None else [],
    }
    if extra:
        files.update(extra)
    for name, obj in files.items():
        if _holds_id_number(obj):
            raise PersonalDataFound(f"{name} holds an ID-shaped number: bundle not written")
    texts = {name: json.dumps(obj, ensure_ascii=False, indent=1, default=str) for name, obj in files.items()}
    folder.mkdir(parents=True, exist_ok=False)
    for name, text in texts.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    (folder / "README.txt").write_text(
        "Kiosk diagnostic bundle. No personal data: device states, system facts, configuration without\n"
        "secrets, neutral log records, audit chain check. Made by the technician screen or kiosk doctor.\n",
        encoding="utf-8")
    log.info("diagnostic bundle written", extra={"files": len(texts) + 1})
    return folder


def run_with_timeout(fn, timeout: float, default=None):
    """Run ``fn`` in a thread; its result, or ``default`` if it takes longer than ``timeout``."""
    box: dict[str, Any] = {}

    def target():
        try:
            box["v"] = fn()
        except Exception as exc:  # noqa: BLE001
            box["e"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    if "e" in box:
        raise box["e"]
    return box.get("v", default)
