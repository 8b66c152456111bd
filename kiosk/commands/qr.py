"""``kiosk qr decode PATH...`` and ``kiosk qr watch``.

``decode`` prints, per image, the decoded texts byte-exact (``--json``: one JSON object per
line ``{"path", "payloads", "decoder", "ms"}``).  ``watch`` starts the configured QR source (or
``--source``) and prints each scan as it happens, with what the payload parser made of it;
personal data in ID-card QR codes is masked unless ``--show-personal-data``.
"""

from __future__ import annotations

import json
import sys
import time


def register(sub) -> None:
    p = sub.add_parser("qr", help="decode QR images, watch the QR source")
    qsub = p.add_subparsers(dest="qr_command", metavar="ACTION", required=True)
    d = qsub.add_parser("decode", help="decode QR codes in image files")
    d.add_argument("paths", nargs="+", metavar="PATH")
    d.add_argument("--decoder", choices=("auto", "zxing", "pyzbar", "opencv"), default="auto")
    d.add_argument("--json", action="store_true", help="one JSON object per image")
    d.set_defaults(func=cmd_decode)
    w = qsub.add_parser("watch", help="print scans from the QR source as they happen (Ctrl-C stops)")
    w.add_argument("--source", choices=("camera", "hid", "serial", "simulated"), help="override devices.qr_source")
    w.add_argument("--device", help="override the camera / HID device / serial port of that source")
    w.add_argument("--seconds", type=float, default=0, help="stop after this long (0: until Ctrl-C)")
    w.add_argument("--show-personal-data", action="store_true", help="print ID-card fields unmasked")
    w.set_defaults(func=cmd_watch)


def cmd_decode(args) -> int:
    from kiosk.devices.qr.decode import DecodeError, decode_image, load_image

    status = 0
    for path in args.paths:
        try:
            img = load_image(path)
            t0 = time.perf_counter()
            found = decode_image(img, args.decoder)
            ms = (time.perf_counter() - t0) * 1000.0
        except (DecodeError, OSError) as exc:
            status = 1
            if args.json:
                print(json.dumps({"path": path, "error": str(exc)}, ensure_ascii=False))
            else:
                print(f"{path}: error: {exc}", file=sys.stderr)
            continue
        decoders = sorted({d.decoder for d in found})
        if args.json:
            obj = {
                "path": path,
                "payloads": [d.text for d in found],
                "decoder": decoders[0] if len(decoders) == 1 else (decoders or None),
                "ms": round(ms, 3),
            }
            print(json.dumps(obj, ensure_ascii=False))
        else:
            if not found:
                print(f"{path}: no QR code ({ms:.1f} ms)")
            for d in found:
                print(f"{path}: [{d.decoder}, {ms:.1f} ms] {d.text!r}")
    return status


def cmd_watch(args) -> int:
    from kiosk.commands import load_settings_or_exit
    from kiosk.devices.base import StatusBoard
    from kiosk.devices.qr import build
    from kiosk.payloads import IdCardQr, describe, parse_payload

    settings = load_settings_or_exit(args)
    changes = {}
    if args.source:
        changes["qr_source"] = args.source
    if args.device:
        key = {"camera": "qr_camera", "hid": "qr_hid_device", "serial": "qr_serial_port",
               "simulated": "qr_simulated_images"}
        changes[key[args.source or settings.devices.qr_source]] = args.device
    if changes:
        settings = settings.replace(devices=changes)
    board = StatusBoard()
    board.subscribe(lambda st: print(f"# status: {st.state.value} {st.name} {st.last_error or ''}".rstrip(),
                                     file=sys.stderr, flush=True))
    source = build(settings, board)
    hosts = settings.devices.qr_lookup_hosts

    def on_scan(scan) -> None:
        payload = parse_payload(scan.payload, hosts)
        info = describe(payload)
        if args.show_personal_data and isinstance(payload, IdCardQr):
            info.update(id_number=payload.id_number, full_name=payload.full_name, dob=str(payload.dob),
                        address=payload.address)
        out = {"at": round(scan.at, 3), "source": scan.source, "decoder": scan.decoder, "parsed": info}
        if not isinstance(payload, IdCardQr) or args.show_personal_data:
            out["payload"] = scan.payload
        print(json.dumps(out, ensure_ascii=False), flush=True)

    source.open()
    source.start(on_scan)
    try:
        deadline = time.monotonic() + args.seconds if args.seconds else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        source.close()
    return 0
