"""``kiosk config check [PATH]`` and ``kiosk config hash-pin``."""

from __future__ import annotations

import getpass
import sys


def register(sub) -> None:
    p = sub.add_parser("config", help="check kiosk.ini, make PIN hashes")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate a kiosk.ini; exit 2 naming every problem")
    check.add_argument("path", nargs="?", help="file to check (default: the kiosk's own)")
    check.add_argument("--production", action="store_true",
                       help="also refuse demo settings: published demo PINs, the embedded gateway, simulated "
                            "devices, credentials over http://, verify_tls = no, an empty CSCA trust store, "
                            "a missing audit key")
    check.set_defaults(func=cmd_check)
    hp = csub.add_parser("hash-pin", help="read a staff or technician PIN and print its hash for kiosk.ini")
    hp.add_argument("--pin", help="the PIN (default: asked without echo)")
    hp.set_defaults(func=cmd_hash_pin)


def cmd_check(args) -> int:
    from kiosk import config

    path = config.config_path(args.path or args.config)
    try:
        settings = config.load(path)
    except config.ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if args.production:
        problems = config.production_problems(settings)
        if problems:
            print(f"{path}: {len(problems)} problem(s) for a production kiosk", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 2
    mode = "production" if args.production else "syntax"
    print(f"{path}: OK (kiosk {settings.kiosk.kiosk_id}, gateway {settings.gateway.url}; {mode} checked)")
    return 0


def cmd_hash_pin(args) -> int:
    from kiosk.roles import hash_pin

    pin = args.pin if args.pin is not None else getpass.getpass("PIN: ")
    try:
        print(hash_pin(pin))
    except ValueError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    return 0
