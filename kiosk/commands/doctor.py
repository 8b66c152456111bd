"""``kiosk doctor [--json]``: is this kiosk healthy, and if not, what needs a technician?

Reports every device's state and last error, gateway reachability (latency, TLS certificate),
outbox depth, config validity and free disk.  Exit status: 0 healthy, 1 something needs a
technician (``DeviceStatus.needs_technician``, invalid config, low disk, refused outbox items).

Fault injection for tests and for rehearsing repairs (hidden options, or the environment
variable ``KIOSK_DOCTOR_FAULTS`` = comma-separated faults):
``--simulated`` (every device is its simulated twin), ``--fault printer:paper_out``
(also paper_near_end, cover_open, no_answer, hardware_error), ``--fault reader:unplugged``
(a PC/SC reader that is not there), ``--fault gateway:down`` (the gateway URL points at a
closed port on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

PRINTER_FAULTS = ("paper_out", "paper_near_end", "cover_open", "no_answer", "hardware_error")
FAULTS = tuple(f"printer:{f}" for f in PRINTER_FAULTS) + ("reader:unplugged", "gateway:down")


def register(sub) -> None:
    p = sub.add_parser("doctor",
                       help="check devices, gateway, outbox, config and disk; exit 1 if a technician is needed")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--simulated", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--fault", action="append", default=[], choices=FAULTS, help=argparse.SUPPRESS)
    p.add_argument("--gateway-url", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_doctor)


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def faulted_settings(settings, simulated: bool, faults: list[str], gateway_url: str | None):
    devices = {}
    if simulated:
        devices.update(card_reader="simulated", qr_source="simulated", printer="simulated")
    if "reader:unplugged" in faults:
        devices.update(card_reader="pcsc", card_reader_pattern="*kiosk-doctor-unplugged-reader*")
    gateway = {}
    if gateway_url:
        gateway["url"] = gateway_url
    if "gateway:down" in faults:
        gateway.update(url=f"http://127.0.0.1:{closed_port()}", retries=0, connect_timeout=1, read_timeout=2)
    changes = {}
    if devices:
        changes["devices"] = devices
    if gateway:
        changes["gateway"] = gateway
    return settings.replace(**changes) if changes else settings


def cmd_doctor(args) -> int:
    from kiosk import diagnostics
    from kiosk.commands import load_settings_or_exit, print_json
    from kiosk.devices.registry import build_devices

    faults = list(args.fault) + [f.strip() for f in os.environ.get("KIOSK_DOCTOR_FAULTS", "").split(",") if f.strip()]
    unknown = [f for f in faults if f not in FAULTS]
    if unknown:
        print(f"kiosk doctor: unknown fault(s) {unknown}; known: {', '.join(FAULTS)}", file=sys.stderr)
        return 2
    settings = faulted_settings(load_settings_or_exit(args), args.simulated, faults, args.gateway_url)
    devices = build_devices(settings)
    devices.open_all()
    printer_faults = {f.split(":", 1)[1]: True for f in faults if f.startswith("printer:")}
    if printer_faults:
        if devices.printer.faults is None:
            print("kiosk doctor: printer faults need the simulated printer (--simulated)", file=sys.stderr)
            return 2
        devices.printer.faults.set_faults(**printer_faults)
    client = None
    try:
        from kiosk.gateway.client import GatewayClient

        client = GatewayClient.from_settings(settings, retries=0)
    except Exception as exc:  # noqa: BLE001 - a gateway that cannot be set up is a finding
        print(f"kiosk doctor: gateway client: {type(exc).__name__}: {exc}", file=sys.stderr)
    outbox = diagnostics.open_outbox(settings)
    try:
        report = diagnostics.doctor(settings, devices, client, outbox=outbox, config_path=args.config)
    finally:
        devices.close_all()
        if outbox is not None:
            outbox.close()
    if args.json:
        print_json(report.as_dict())
    else:
        print_text(report)
    return 1 if report.needs_technician else 0


def print_text(report) -> None:
    mark = {True: "!!", False: "ok"}
    print(f"kiosk {report.system['kiosk_id']}  version {report.system['version']}")
    for st in report.devices:
        media = "" if st.media.value in ("n/a",) else f" / {st.media.value}"
        sim = " (simulated)" if st.simulated else ""
        err = f"  last error: {st.last_error}" if st.last_error else ""
        print(f"  [{mark[st.needs_technician]}] {st.kind.value:<12} {st.state.value}{media}{sim}  {st.name}{err}")
    gw = report.gateway
    lat = f", latency {gw.get('latency_ms')} ms" if gw.get("latency_ms") is not None else ""
    cert = gw.get("certificate") or {}
    cert_text = f", certificate {cert['days_left']} days left" if cert.get("days_left") is not None else ""
    print(f"  gateway reachable: {'yes' if gw.get('reachable') else 'NO'}{lat}{cert_text}")
    ob = report.outbox
    if ob.get("available"):
        print(f"  outbox: {ob['depth']} waiting, {ob['failed']} set aside, last error: {ob['last_error'] or '-'}")
    else:
        print("  outbox: not available")
    if ob.get("problem"):
        print(f"  [!!] outbox: {ob['problem']}")
    cfg = report.config
    print(f"  config {cfg['path']}: {'valid' if cfg['valid'] else 'INVALID'}")
    for problem in cfg["problems"]:
        print(f"    {problem}")
    print(f"  disk free: {report.system['disk_free_bytes'] // (1024 * 1024)} MB")
    if report.problems:
        print("NEEDS A TECHNICIAN:")
        for problem in report.problems:
            print(f"  - {problem}")
    else:
        print("healthy")
