"""``kiosk bench NAME``: benchmarks that print figures side by side.

Each benchmark is a module ``kiosk/bench/<name>.py`` with ``DESCRIPTION``, optional
``add_arguments(parser)`` and ``run(args) -> int``.  Benchmarks print; they never assert.
"""

from __future__ import annotations

import importlib
import pkgutil


def _benches():
    import kiosk.bench as pkg

    for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not m.name.startswith("_"):
            yield m.name, importlib.import_module(f"kiosk.bench.{m.name}")


def register(sub) -> None:
    p = sub.add_parser("bench", help="run a benchmark and print its figures")
    bsub = p.add_subparsers(dest="bench_name", metavar="NAME", required=True)
    for name, module in _benches():
        bp = bsub.add_parser(name, help=getattr(module, "DESCRIPTION", name))
        if hasattr(module, "add_arguments"):
            module.add_arguments(bp)
        bp.set_defaults(func=module.run)
