"""``kiosk audit verify [PATH]`` and ``kiosk audit tail``: the keyed, hash-chained audit log."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("audit", help="verify or show the keyed, hash-chained audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser("verify", help="check the chain; names the first edited, removed, inserted or "
                                       "reordered entry and exits 1")
    v.add_argument("path", nargs="?", help="audit folder or one day file (default: data_dir/audit)")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.add_argument("--key-file", help="the audit key (default: kiosk.ini [audit] key_file)")
    v.add_argument("--gateway", nargs="?", const="settings", metavar="URL",
                   help="also compare with the head the gateway last received (URL, or kiosk.ini's "
                        "gateway when no URL is given)")
    v.add_argument("--allow-empty", action="store_true", help="an empty log is fine (a kiosk never started)")
    v.set_defaults(func=cmd_verify)
    t = asub.add_parser("tail", help="show the last entries")
    t.add_argument("-n", type=int, default=20)
    t.set_defaults(func=cmd_tail)


def _settings_or_none(args):
    from kiosk import config

    try:
        return config.load(getattr(args, "config", None))
    except config.ConfigError:
        return None


def gateway_head(settings, url: str | None) -> dict | None:
    """The audit head the gateway kept for this kiosk (None: it has none yet)."""
    from kiosk.gateway.client import API_PREFIX, GatewayClient
    from kiosk.gateway.errors import NotFound

    client = GatewayClient.from_settings(settings, base_url=None if url in (None, "settings") else url)
    try:
        data = client.request("GET", f"{API_PREFIX}/kiosks/audit-head")
    except NotFound:
        return None
    finally:
        client.close()
    if not isinstance(data, dict) or not isinstance(data.get("seq"), int) or not isinstance(data.get("hash"), str):
        raise ValueError("the gateway's audit head is not {seq, hash}")
    return {"seq": data["seq"], "hash": data["hash"]}


def cmd_verify(args) -> int:
    from pathlib import Path

    from kiosk import audit
    from kiosk.commands import load_settings_or_exit, print_json

    settings = load_settings_or_exit(args) if not args.path or args.gateway or not args.key_file else \
        _settings_or_none(args)
    path = Path(args.path) if args.path else settings.data_dir / "audit"
    try:
        key_file = Path(args.key_file) if args.key_file else audit.key_path(settings)
        key = audit.load_key(key_file, create=False)
    except audit.AuditKeyError as exc:
        print(f"kiosk audit verify: {exc}", file=sys.stderr)
        return 2
    head = None
    if args.gateway:
        from kiosk.gateway.errors import GatewayError

        try:
            head = gateway_head(settings, args.gateway)
        except (GatewayError, ValueError) as exc:
            print(f"kiosk audit verify: the gateway's copy of the head could not be read: {exc}", file=sys.stderr)
            return 2
        if head is None:
            print("kiosk audit verify: the gateway holds no audit head for this kiosk yet", file=sys.stderr)
    result = audit.verify(path, key, gateway_head=head, allow_empty=args.allow_empty)
    if args.json:
        print_json({**result.as_dict(), "gateway_head": head})
    elif result.ok:
        span = f"seq {result.first_seq}..{result.last_seq}" if result.entries else "empty"
        against = f"; the gateway's head (seq {head['seq']}) matches" if head else ""
        print(f"{path}: OK, {result.entries} entries ({span}){against}")
    else:
        print(f"{path}: TAMPERED after {result.entries} good entries", file=sys.stderr)
        print(f"  first bad entry: {result.problem}", file=sys.stderr)
    return 0 if result.ok else 1


def cmd_tail(args) -> int:
    import json

    from kiosk.audit import day_files
    from kiosk.commands import load_settings_or_exit, print_json

    settings = load_settings_or_exit(args)
    entries: list = []
    for path in day_files(settings.data_dir / "audit"):  # reading needs no key; `verify` does
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    continue
    for entry in entries[-args.n:]:
        print_json(entry)
    return 0
