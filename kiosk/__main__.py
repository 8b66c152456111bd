"""The ``kiosk`` command.

``kiosk`` alone (or ``kiosk run``) starts the kiosk.  Sub-commands live one module each in
``kiosk/commands/``; each module has ``register(subparsers)`` that adds its parser and sets
``func`` to a function taking the parsed arguments and returning the exit status.  Command
modules import heavy libraries (Kivy, OpenCV, pyscard) inside their functions, never at the
top, so ``kiosk --version`` and ``kiosk config check`` stay instant.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from kiosk import __version__

# The order in which sub-commands are listed in --help.
COMMAND_ORDER = ["run", "config", "screenshots", "card", "qr", "printer", "gateway", "doctor", "audit", "bench"]


def _command_modules():
    import kiosk.commands as pkg

    found = {m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")}
    ordered = [n for n in COMMAND_ORDER if n in found] + sorted(found - set(COMMAND_ORDER))
    for name in ordered:
        yield importlib.import_module(f"kiosk.commands.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Self-service kiosk for online public services (post-office agent points).",
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="kiosk.ini to use (default: $KIOSK_CONFIG, else the kiosk.ini beside the package)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `kiosk`, `kiosk --windowed`, `kiosk --config X` all mean `kiosk run …`
    known = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    if not any(a in known for a in argv) and not any(a in ("-h", "--help", "--version") for a in argv):
        argv = _insert_run(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


def _insert_run(argv: list[str]) -> list[str]:
    # global options (--config PATH) stay before the sub-command
    out: list[str] = []
    rest = list(argv)
    while rest and rest[0] == "--config" and len(rest) > 1:
        out += rest[:2]
        rest = rest[2:]
    while rest and rest[0].startswith("--config="):
        out.append(rest.pop(0))
    return out + ["run"] + rest


if __name__ == "__main__":
    sys.exit(main())
