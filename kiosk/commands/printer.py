"""``kiosk printer status|test|sample|decode``: the receipt printer from the command line."""

from __future__ import annotations

import sys

KINDS = ("dossier-receipt", "payment-receipt", "status-slip", "ticket", "delivery-slip", "self-test")
FAULTS = ("paper_near_end", "paper_out", "cover_open", "no_answer", "hardware_error")


def register(sub) -> None:
    p = sub.add_parser("printer", help="receipt printer: status, self-test, sample receipts, decode ESC/POS")
    psub = p.add_subparsers(dest="printer_command", metavar="ACTION", required=True)

    s = psub.add_parser("status", help="ask the printer for its status (DLE EOT)")
    s.add_argument("--json", action="store_true", help="print the status as JSON")
    s.add_argument("--simulated", action="store_true", help="use the simulated printer")
    s.add_argument("--fault", action="append", choices=FAULTS, default=[],
                   help="with --simulated: switch on a fault (repeatable)")
    s.set_defaults(func=cmd_status)

    t = psub.add_parser("test", help="print the technician self-test page")
    t.add_argument("--simulated", action="store_true", help="use the simulated printer")
    t.add_argument("--lang", choices=("vi", "en"), default=None)
    t.add_argument("--png", metavar="FILE", help="with --simulated: save the decoded paper")
    t.add_argument("--fault", action="append", choices=FAULTS, default=[],
                   help="with --simulated: switch on a fault (repeatable)")
    t.set_defaults(func=cmd_test)

    sm = psub.add_parser("sample", help="write a sample receipt as ESC/POS bytes (and a PNG of the paper)")
    sm.add_argument("kind", choices=KINDS)
    sm.add_argument("--out", required=True, metavar="FILE.bin")
    sm.add_argument("--png", metavar="FILE.png")
    sm.add_argument("--profile", help="python-escpos profile (default: kiosk.ini printer_profile)")
    sm.add_argument("--paper", choices=("58", "80"), help="paper width in mm (default: kiosk.ini)")
    sm.add_argument("--text-mode", choices=("raster", "codepage"), help="default: kiosk.ini printer_text_mode")
    sm.add_argument("--lang", choices=("vi", "en"), default="vi")
    sm.set_defaults(func=cmd_sample)

    d = psub.add_parser("decode", help="decode an ESC/POS file: text lines, QR codes, problems, picture")
    d.add_argument("file", metavar="FILE.bin")
    d.add_argument("--png", metavar="FILE.png")
    d.add_argument("--json", action="store_true")
    d.add_argument("--profile", help="profile whose code pages and width apply (default: kiosk.ini)")
    d.add_argument("--paper", choices=("58", "80"))
    d.set_defaults(func=cmd_decode)


def _device(args):
    from kiosk.commands import load_settings_or_exit
    from kiosk.devices.printer import build

    settings = load_settings_or_exit(args)
    dev = build(settings, simulated=True if getattr(args, "simulated", False) else None)
    faults = getattr(args, "fault", None) or []
    if faults:
        if not dev.simulated:
            print("kiosk: --fault needs the simulated printer (--simulated)", file=sys.stderr)
            raise SystemExit(2)
        dev.faults.set_faults(**{f: True for f in faults})
    return settings, dev


def cmd_status(args) -> int:
    from kiosk.commands import print_json

    _, dev = _device(args)
    dev.open()
    status = dev.status
    dev.close()
    if args.json:
        print_json(status.as_dict())
    else:
        print(f"{status.name}: {status.state.value}, paper {status.media.value}")
        print(f"  {status.detail}")
        if status.last_error:
            print(f"  problem: {status.last_error}")
    return 0 if status.state.usable and status.media.value in ("paper-ok", "paper-near-end") else 1


def cmd_test(args) -> int:
    from kiosk import receipts

    settings, dev = _device(args)
    dev.open()
    page = receipts.self_test(
        dev.board.all(), office=settings.kiosk.location_name, kiosk_id=settings.kiosk.kiosk_id,
        profile=dev.profile.name, paper_mm=dev.profile.paper_mm, text_mode=dev.text_mode,
        lang=args.lang or settings.kiosk.language,
    )
    result = dev.print_receipt(page)
    print(f"self-test: {result.message_key} ({result.bytes_sent} bytes, {result.seconds:.2f} s); "
          f"printer {dev.status.state.value}, paper {dev.status.media.value}")
    if not result.ok:
        print(f"  next step: {result.next_step}; kept for reprint as {result.receipt_id}")
    if args.png and dev.simulated:
        dev.last_paper().image.save(args.png)
        print(f"paper picture: {args.png}")
    dev.close()
    return 0 if result.ok and result.confirmed else 1


def _profile(args, settings):
    """The printer profile named on the command line or in kiosk.ini; None (after saying why)
    when python-escpos does not know it."""
    from kiosk.devices.printer.profile import UnknownProfile, load_profile

    d = settings.devices
    try:
        return load_profile(args.profile or d.printer_profile, args.paper or d.printer_paper_mm)
    except UnknownProfile as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return None


def cmd_sample(args) -> int:
    from kiosk.commands import load_settings_or_exit
    from kiosk.devices.printer.decoder import decode
    from kiosk.devices.printer.render import render
    from kiosk.receipts.samples import sample

    settings = load_settings_or_exit(args)
    d = settings.devices
    profile = _profile(args, settings)
    if profile is None:
        return 2
    mode = args.text_mode or d.printer_text_mode
    receipt = sample(args.kind, args.lang, profile=profile.name, paper_mm=profile.paper_mm, text_mode=mode)
    out = render(receipt, profile, text_mode=mode)
    with open(args.out, "wb") as fh:
        fh.write(out.data)
    note = "" if out.text_mode == mode else f" (profile has no Vietnamese code page: {out.text_mode})"
    print(f"{args.kind} [{args.lang}] {profile.name} {profile.paper_mm} mm, text {out.text_mode}{note}: "
          f"{len(out.data)} bytes -> {args.out}")
    if args.png:
        paper = decode(out.data, profile)
        paper.image.save(args.png)
        print(f"paper picture: {args.png} ({paper.image.width}x{paper.image.height} dots)")
    return 0


def cmd_decode(args) -> int:
    from kiosk.commands import load_settings_or_exit, print_json
    from kiosk.devices.printer.decoder import decode

    settings = load_settings_or_exit(args)
    profile = _profile(args, settings)
    if profile is None:
        return 2
    try:
        with open(args.file, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        print(f"kiosk: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    paper = decode(data, profile)
    scanned = paper.scan_qr()
    if args.png:
        paper.image.save(args.png)
    if args.json:
        out = paper.as_dict()
        out["qr_scanned"] = scanned
        out["bytes"] = len(data)
        print_json(out)
    else:
        print(f"{args.file}: {len(data)} bytes, paper {paper.image.width}x{paper.image.height} dots "
              f"({paper.image.height / 8:.0f} mm), {paper.images} image command(s), {paper.cuts} cut(s)")
        for line in paper.lines:
            print(f"  text | {line}")
        for q in paper.qr_payloads:
            print(f"  QR (GS ( k) | {q}")
        for q in scanned:
            print(f"  QR (scanned from paper) | {q}")
        for m, b in paper.barcodes:
            print(f"  barcode m={m} | {b}")
        if paper.status_requests:
            print(f"  status requests: {paper.status_requests}")
        for p in paper.problems:
            print(f"  PROBLEM | {p}")
        if args.png:
            print(f"paper picture: {args.png}")
    return 1 if paper.problems else 0
