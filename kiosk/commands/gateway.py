"""``kiosk gateway``: run the demo gateway, query a gateway, look at the outbox."""

from __future__ import annotations

import sys

from kiosk.commands import load_settings_or_exit, print_json


def register(sub) -> None:
    p = sub.add_parser("gateway", help="public-service gateway: demo server, lookups, outbox")
    gsub = p.add_subparsers(dest="gateway_command", metavar="ACTION", required=True)

    s = gsub.add_parser("serve", help="run the demo gateway (SQLite state) in the foreground")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    s.add_argument("--db", metavar="PATH", default=None,
                   help="SQLite file for the demo state (default: in memory)")
    s.add_argument("--bank-delay", type=float, default=None, metavar="SECONDS",
                   help="seconds before the simulated bank confirms a VietQR payment")
    s.add_argument("--tls-cert", metavar="PEM", default=None, help="serve HTTPS with this certificate")
    s.add_argument("--tls-key", metavar="PEM", default=None, help="private key for --tls-cert")
    s.add_argument("--client-ca", metavar="PEM", default=None,
                   help="require client certificates signed by this CA (mutual TLS)")
    s.add_argument("--tokens", metavar="FILE", default=None,
                   help="require bearer tokens: file of 'KIOSK_ID TOKEN [kiosk|staff]' lines")
    s.add_argument("--demo", action="store_true",
                   help="demo mode: the simulated bank's /v1/demo/* exists and, without --tokens or "
                        "--client-ca, kiosks are named by their X-Kiosk-Id header (never for real kiosks)")
    s.add_argument("--lookup-burst", type=float, default=None, metavar="N",
                   help="dossier look-ups a kiosk may make at once (default 60)")
    s.add_argument("--lookup-rate", type=float, default=None, metavar="PER_SECOND",
                   help="look-ups a kiosk may make per second after the burst (default 1)")
    s.set_defaults(func=_serve)

    lk = gsub.add_parser("lookup", help="look a dossier up (for technicians)")
    lk.add_argument("code", help="dossier code as printed on the receipt")
    lk.add_argument("--url", default=None, help="gateway base URL (default: kiosk.ini [gateway] url)")
    lk.add_argument("--json", action="store_true", help="print the raw dossier as JSON")
    lk.set_defaults(func=_lookup)

    hb = gsub.add_parser("ping", help="send a heartbeat and print the round-trip time")
    hb.add_argument("--url", default=None, help="gateway base URL (default: kiosk.ini [gateway] url)")
    hb.set_defaults(func=_ping)

    ob = gsub.add_parser("outbox", help="show the offline outbox (depth, last error) or flush it")
    ob.add_argument("--flush", action="store_true", help="try to deliver what is queued now")
    ob.add_argument("--url", default=None, help="gateway base URL (default: kiosk.ini [gateway] url)")
    ob.set_defaults(func=_outbox)

    sp = gsub.add_parser("openapi", help="print the contract (OpenAPI 3 JSON) the demo gateway serves")
    sp.add_argument("--output", "-o", default=None, help="write to this file instead of stdout")
    sp.set_defaults(func=_openapi)


def _serve(args) -> int:
    import uvicorn

    from kiosk.gateway.demo import create_app
    from kiosk.gateway.demo.app import NoCredentials

    if args.client_ca and not (args.tls_cert and args.tls_key):
        print("error: --client-ca needs --tls-cert and --tls-key (mutual TLS runs over HTTPS)", file=sys.stderr)
        return 2
    kwargs: dict = {"demo": args.demo, "client_certificates": bool(args.client_ca)}
    if args.bank_delay is not None:
        kwargs["bank_delay"] = args.bank_delay
    if args.lookup_burst is not None:
        kwargs["lookup_burst"] = args.lookup_burst
    if args.lookup_rate is not None:
        kwargs["lookup_per_second"] = args.lookup_rate
    if args.tokens:
        from kiosk.gateway.demo.app import read_token_map

        try:
            kwargs["tokens"] = read_token_map(args.tokens)
        except (OSError, ValueError) as exc:
            print(f"error: --tokens: {exc}", file=sys.stderr)
            return 2
    try:
        app = create_app(args.db, **kwargs)
    except NoCredentials as exc:
        print(f"error: refusing to start: {exc}", file=sys.stderr)
        return 2
    ssl_kwargs = {}
    if args.tls_cert:
        from kiosk.gateway.demo.tls import uvicorn_tls

        ssl_kwargs = uvicorn_tls(args.tls_cert, args.tls_key, args.client_ca)
    scheme = "https" if args.tls_cert else "http"
    mode = "DEMO mode" if args.demo else "credentials required"
    print(f"demo gateway on {scheme}://{args.host}:{args.port}, {mode}  (contract: /openapi.json)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", **ssl_kwargs)
    return 0


def _client(args):
    from kiosk.gateway.client import GatewayClient

    settings = load_settings_or_exit(args)
    return GatewayClient.from_settings(settings, base_url=args.url)


def _lookup(args) -> int:
    from kiosk.gateway.errors import GatewayError

    try:
        with _client(args) as client:
            dossier = client.lookup_dossier(args.code)
    except GatewayError as exc:
        print(f"error: {exc.message_key} (next step: {exc.next_step}) {exc.detail}", file=sys.stderr)
        return 1
    if args.json:
        from kiosk.gateway.models import to_jsonable

        print_json(to_jsonable(dossier))
        return 0
    print(f"{dossier.code}  {dossier.procedure.code} {dossier.procedure.name_vi} / {dossier.procedure.name_en}")
    print(f"  status: {dossier.status}   submitted: {dossier.submitted_at:%Y-%m-%d %H:%M %Z}"
          f"   expected: {dossier.expected_date or '-'}")
    print(f"  agency: {dossier.agency_vi}   fee: {dossier.fee.amount_vnd:,} VND "
          f"({'paid' if dossier.fee.paid else 'unpaid'})   delivery: {dossier.delivery.method}")
    for event in dossier.timeline:
        print(f"  {event.at:%Y-%m-%d %H:%M}  {event.status:<21} {event.note_vi}")
    return 0


def _ping(args) -> int:
    from kiosk.gateway.errors import GatewayError

    try:
        with _client(args) as client:
            result = client.heartbeat()
    except GatewayError as exc:
        print(f"error: {exc.message_key} {exc.detail}", file=sys.stderr)
        return 1
    print(f"gateway answered in {result.latency_ms:.1f} ms (server time {result.server_time:%Y-%m-%d %H:%M:%S %Z})")
    return 0


def _outbox(args) -> int:
    from kiosk.gateway.outbox import Outbox, OutboxError

    settings = load_settings_or_exit(args)
    try:
        outbox = Outbox.from_settings(settings)
    except OutboxError as exc:  # a missing, short, exposed or replaced key: say so, delete nothing
        print(f"kiosk: the offline outbox cannot be opened: {exc}", file=sys.stderr)
        return 2
    with outbox:
        if args.flush:
            with _client(args) as client:
                sent = outbox.deliver(client)
            print(f"delivered {sent}")
        print_json({"depth": outbox.depth(), "last_error": outbox.last_error()})
    return 0


def _openapi(args) -> int:
    import json

    from kiosk.gateway.demo.app import openapi_document

    text = json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0
