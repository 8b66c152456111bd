"""``kiosk audit verify [PATH]`` and ``kiosk audit tail``: the hash-chained audit log."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("audit", help="verify or show the hash-chained audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser("verify", help="check the chain; names the first edited, removed, inserted or "
                                       "reordered entry and exits 1")
    v.add_argument("path", nargs="?", help="audit folder or one day file (default: data_dir/audit)")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.set_defaults(func=cmd_verify)
    t = asub.add_parser("tail", help="show the last entries")
    t.add_argument("-n", type=int, default=20)
    t.set_defaults(func=cmd_tail)


def _folder(args):
    from pathlib import Path

    from kiosk.commands import load_settings_or_exit

    if getattr(args, "path", None):
        return Path(args.path)
    return load_settings_or_exit(args).data_dir / "audit"


def cmd_verify(args) -> int:
    from kiosk.audit import verify
    from kiosk.commands import print_json

    path = _folder(args)
    result = verify(path)
    if args.json:
        print_json(result.as_dict())
    elif result.ok:
        span = f"seq {result.first_seq}..{result.last_seq}" if result.entries else "empty"
        print(f"{path}: OK, {result.entries} entries ({span})")
    else:
        print(f"{path}: TAMPERED after {result.entries} good entries", file=sys.stderr)
        print(f"  first bad entry: {result.problem}", file=sys.stderr)
    return 0 if result.ok else 1


def cmd_tail(args) -> int:
    from kiosk.audit import AuditLog
    from kiosk.commands import load_settings_or_exit, print_json

    settings = load_settings_or_exit(args)
    for entry in AuditLog.from_settings(settings).tail(args.n):
        print_json(entry)
    return 0
