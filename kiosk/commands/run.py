"""``kiosk run`` (the default): start the kiosk."""

from __future__ import annotations

import sys

from kiosk.commands import load_settings_or_exit

EXIT_REFUSED = 78  # EX_CONFIG: systemd can stop restarting it (RestartPreventExitStatus=78)


def register(sub) -> None:
    p = sub.add_parser("run", help="start the kiosk (the default command)")
    p.add_argument("--windowed", action="store_true", help="a normal window instead of locked-down fullscreen")
    p.add_argument("--size", metavar="WxH", help="window size, overriding kiosk.ini (e.g. 1920x1080)")
    p.set_defaults(func=cmd_run)


def parse_size(raw: str | None):
    if not raw:
        return None
    from kiosk.config import p_size

    try:
        return p_size(raw)
    except ValueError as exc:
        print(f"kiosk: --size: {exc}, found {raw!r}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_run(args) -> int:
    import os
    import time

    t_cli = time.time()
    settings = load_settings_or_exit(args)
    refused = _production_refusal(settings)
    if refused:
        return refused
    from kiosk.runtime import StartupRefused, preflight

    try:
        preflight(settings)  # before any window: a refused start is told on stderr and in the journal
        from kiosk.app import run

        probe = os.environ.get("KIOSK_STARTUP_PROBE")
        on_first_frame = _startup_probe(probe, t_cli) if probe else None
        return run(settings, windowed=args.windowed, size=parse_size(args.size), on_first_frame=on_first_frame)
    except StartupRefused as exc:
        print(f"kiosk: will not start: {exc.detail}", file=sys.stderr)
        print("kiosk: nothing was deleted; see `kiosk doctor` and docs/operations.md (outbox key)", file=sys.stderr)
        return EXIT_REFUSED


def _startup_probe(path: str, t_cli: float):
    """For ``kiosk bench startup``: write when the first frame was drawn, then quit."""
    import json
    import time

    def first_frame(app) -> None:
        facts = {"t_cli": t_cli, "t_first_frame": time.time(), "screen": app.current}
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    facts[line.split(":")[0].lower() + "_kb"] = int(line.split()[1])
        with open(path, "w", encoding="utf-8") as f:
            json.dump(facts, f)
        app.exit_kiosk()

    return first_frame


def _production_refusal(settings) -> int:
    """A real kiosk (its gateway is not the embedded demo one) never starts on demo settings:
    each problem is named on stderr (and so in the journal) and the exit status is 2."""
    from kiosk import config

    if not config.is_production(settings):
        return 0
    problems = config.production_problems(settings)
    if not problems:
        return 0
    print(f"kiosk: will not start: {len(problems)} problem(s) for a production kiosk "
          f"(check with: kiosk config check --production)", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 2
