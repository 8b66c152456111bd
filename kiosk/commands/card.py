"""``kiosk card``: chip ID card (CCCD) tools for technicians.

  kiosk card readers [--json]
  kiosk card read --reader PATTERN (--id ID12 | --doc-number D9 --dob YYMMDD --expiry YYMMDD)
                  [--method auto|pace|bac] [--trust PATH] [--read-mode auto|short|extended] [--json]
  kiosk card virtual [--person FILE] [--port 35963] [--fault NAME]... [--trust-out DIR]

Exit status of ``read``: 0 read (authentic or integrity-only), 3 passive authentication failed,
4 access denied (wrong key), 5 no reader or no card, 6 other card error.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_PA, EXIT_DENIED, EXIT_NO_CARD, EXIT_OTHER = 0, 3, 4, 5, 6

LABELS = [
    ("id_number", "Số định danh / ID number"),
    ("full_name", "Họ và tên / Full name"),
    ("date_of_birth_text", "Ngày sinh / Date of birth"),
    ("sex", "Giới tính / Sex"),
    ("nationality", "Quốc tịch / Nationality"),
    ("ethnicity", "Dân tộc / Ethnicity"),
    ("religion", "Tôn giáo / Religion"),
    ("hometown", "Quê quán / Place of origin"),
    ("residence", "Nơi thường trú / Residence"),
    ("identifying_marks", "Đặc điểm nhận dạng / Marks"),
    ("issue_date", "Ngày cấp / Issued"),
    ("expiry_text", "Có giá trị đến / Valid until"),
    ("father", "Cha / Father"),
    ("mother", "Mẹ / Mother"),
    ("spouse", "Vợ/chồng / Spouse"),
    ("old_id_number", "Số CMND cũ / Old ID"),
]


def register(sub) -> None:
    p = sub.add_parser("card", help="chip ID card reader tools (list readers, read a card, virtual card)")
    csub = p.add_subparsers(dest="card_command", metavar="ACTION", required=True)

    r = csub.add_parser("readers", help="list PC/SC readers, card presence and ATR")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_readers)

    rd = csub.add_parser("read", help="read a chip ID card and print DG1/DG13 and passive authentication")
    rd.add_argument("--reader", default=None, metavar="PATTERN",
                    help="reader name pattern (glob or substring; default: kiosk.ini card_reader_pattern)")
    rd.add_argument("--id", dest="id_number", metavar="ID12", help="12-digit ID number (PACE with CAN)")
    rd.add_argument("--doc-number", metavar="D9", help="document number for BAC (default: last 9 digits of --id)")
    rd.add_argument("--dob", metavar="YYMMDD", help="date of birth (BAC)")
    rd.add_argument("--expiry", metavar="YYMMDD", help="date of expiry (BAC; derived from age rules when absent)")
    rd.add_argument("--method", choices=("auto", "pace", "bac"), default=None)
    rd.add_argument("--trust", metavar="PATH", help="CSCA trust store: folder of PEM/DER, a file, or a master list")
    rd.add_argument("--read-mode", choices=("auto", "short", "extended"), default="auto")
    rd.add_argument("--simulated", action="store_true", help="read the in-process virtual card instead of PC/SC")
    rd.add_argument("--person", metavar="FILE", help="with --simulated: person JSON for the virtual card")
    rd.add_argument("--fault", action="append", default=[], metavar="NAME", help="with --simulated: card fault")
    rd.add_argument("--json", action="store_true")
    rd.set_defaults(func=cmd_read)

    v = csub.add_parser("virtual", help="serve a virtual CCCD to pcscd's vpcd driver until killed")
    v.add_argument("--person", metavar="FILE", help="person JSON (default: assets/cards/sample-person.json)")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=35963, help="vpcd port (35963 = 'Virtual PCD 00 00')")
    v.add_argument("--fault", action="append", default=[], metavar="NAME",
                   help="corrupt-dg, corrupt-dg1, no-extended, drop, vanish, no-pace, no-card-access, bank-card, clone")
    v.add_argument("--trust-out", metavar="DIR", help="write the test CSCA certificate here (for --trust)")
    v.set_defaults(func=cmd_virtual)


def _settings(args):
    from kiosk import config
    from kiosk.commands import load_settings_or_exit

    if getattr(args, "config", None) or config.config_path().exists():
        return load_settings_or_exit(args)
    return config.defaults()


def _yymmdd(text: str | None, future: bool = False):
    if not text:
        return None
    from kiosk.devices.cardreader.dg1 import mrz_date

    d = mrz_date(text.strip(), future=future)
    if d is None:
        raise SystemExit(f"kiosk card read: {text!r} is not a date YYMMDD")
    return d


def cmd_readers(args) -> int:
    from kiosk.commands import print_json
    from kiosk.devices.cardreader.transport import reader_states

    states = reader_states()
    if args.json:
        print_json({"readers": states})
    elif not states:
        print("No PC/SC reader (is pcscd running? is a reader plugged in?)")
    else:
        for s in states:
            card = f"card present, ATR {s['atr']}" if s["card_present"] else "no card"
            print(f"{s['reader']}: {card}")
    return 0 if states else EXIT_NO_CARD


def cmd_read(args) -> int:
    from kiosk.commands import print_json
    from kiosk.devices.cardreader.errors import CardError, CardKeyError, PassiveAuthError
    from kiosk.devices.cardreader.key import CardKey
    from kiosk.devices.cardreader.reader import ReadOptions, read_identity
    from kiosk.devices.cardreader.sod import load_trust_store
    from kiosk.devices.cardreader.transport import PcscTransport, list_pcsc_readers, match_reader

    settings = _settings(args)
    if not args.id_number and not args.doc_number:
        print("kiosk card read: give --id ID12, or --doc-number with --dob and --expiry", file=sys.stderr)
        return 2
    try:
        key = CardKey(args.id_number or "", dob=_yymmdd(args.dob), expiry=_yymmdd(args.expiry, future=True),
                      doc_number=args.doc_number)
    except CardKeyError as exc:
        print(f"kiosk card read: {exc.detail}", file=sys.stderr)
        return 2
    method = args.method or ("bac" if not args.id_number else settings.devices.card_access)
    trust_path = args.trust or (settings.resolve_path(settings.devices.card_trust_store)
                                if settings.devices.card_trust_store else None)
    trust = load_trust_store(trust_path)
    for problem in trust.problems:
        print(f"trust store: {problem}", file=sys.stderr)

    if args.simulated:
        from kiosk.devices.cardreader.transport import InProcessTransport, VirtualSlot
        from kiosk.devices.cardreader.virtual import VirtualCard, load_person

        slot = VirtualSlot()
        slot.place(VirtualCard(load_person(args.person), set(args.fault)))
        transport = InProcessTransport(slot)
    else:
        pattern = args.reader or settings.devices.card_reader_pattern
        name = match_reader(list_pcsc_readers(), pattern)
        if name is None:
            _fail(args, "card.no-reader", "ask-staff", f"no PC/SC reader matches {pattern!r}")
            return EXIT_NO_CARD
        transport = PcscTransport(name)
    options = ReadOptions(method=method, read_mode=args.read_mode, trust=trust)
    try:
        identity, report = read_identity(transport, key, options)
    except PassiveAuthError as exc:
        pa = getattr(exc, "result", None)
        _fail(args, exc.message_key, exc.next_step, exc.detail, pa=pa.as_dict() if pa else None)
        return EXIT_PA
    except CardError as exc:
        _fail(args, exc.message_key, exc.next_step, exc.detail)
        return exc.exit_code if exc.exit_code in (EXIT_DENIED, EXIT_NO_CARD) else EXIT_OTHER
    try:
        if args.json:
            print_json({"reader": transport.name, "identity": identity.as_dict(), "read": report.as_dict()})
        else:
            _print_human(transport.name, identity, report)
    finally:
        identity.wipe()
    return EXIT_OK


def _fail(args, key: str, next_step: str, detail: str, pa=None) -> None:
    from kiosk.commands import print_json

    if args.json:
        print_json({"error": key, "next_step": next_step, "detail": detail, "passive_auth": pa})
    else:
        print(f"error: {key} ({detail}); next step: {next_step}", file=sys.stderr)
        if pa:
            print(f"passive authentication: {pa['status']}, failed check: {pa['failed_check']}", file=sys.stderr)


def _print_human(reader: str, ident, report) -> None:
    pa = ident.passive_auth
    print(f"Reader: {reader}")
    print(f"ATR: {report.atr.hex().upper()}")
    print(f"Access method: {report.method.upper()}")
    chain = f" (CSCA {pa.csca})" if pa.csca else (f" ({pa.detail})" if pa.detail else "")
    print(f"Passive authentication: {pa.status}{chain}")
    print(f"Chip authentication: {ident.chip_auth_note}")
    size = report.trust_store_size
    print(f"CSCA trust store: {'none configured' if size is None else f'{size} certificate(s)'}")
    print("DG1 (MRZ):")
    print(f"  document number: {ident.document_number}")
    print(f"  name (MRZ): {ident.mrz_name}")
    dob = ident.date_of_birth.isoformat() if ident.date_of_birth else ""
    exp = ident.expiry_date.isoformat() if ident.expiry_date else "none"
    print(f"  date of birth: {dob}   expiry: {exp}")
    print("DG13:")
    for attr, label in LABELS:
        print(f"  {label}: {getattr(ident, attr) or ''}")
    for number, raw in sorted(ident.unknown_fields.items()):
        print(f"  field {number} (raw): {bytes(raw).hex()}")
    print(f"DG2: {ident.face_format} {ident.face.width}x{ident.face.height}, {len(ident.face_image)} bytes")
    s = report.stats
    ext = {True: "yes", False: "no", None: "not tried"}[report.extended]
    print(f"Read: {s.file_bytes} bytes of files, {s.bytes_in + s.bytes_out} bytes on the link, "
          f"{s.apdus} APDUs, {report.seconds:.3f} s (extended length: {ext}; short reads: {report.short_size})")


def cmd_virtual(args) -> int:
    import signal
    import tempfile
    import threading

    from kiosk.devices.cardreader.virtual import FAULTS, VirtualCard, load_person
    from kiosk.devices.cardreader.virtual.pki import default_pki
    from kiosk.devices.cardreader.virtual.vpcd import VpcdCard

    bad = [f for f in args.fault if f not in FAULTS]
    if bad:
        print(f"kiosk card virtual: unknown fault(s) {', '.join(bad)}; known: {', '.join(FAULTS)}", file=sys.stderr)
        return 2
    person = load_person(args.person)
    card = VirtualCard(person, set(args.fault))
    out = args.trust_out or tempfile.mkdtemp(prefix="kiosk-virtual-csca-")
    path = default_pki().write_trust_store(out)
    served = VpcdCard(card, args.host, args.port).start()
    print(f"virtual CCCD serving vpcd at {args.host}:{args.port}; faults: {','.join(args.fault) or 'none'}")
    print(f"test CSCA: {path}  (use: kiosk card read --trust {path} ...)", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    served.stop()
    return 0
