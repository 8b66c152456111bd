"""``kiosk bench printer``: bytes and generation time per receipt, raster vs code-page text.

Estimated link time: 115200-baud serial carries 11 520 bytes/s (8N1); USB full speed is taken
as 1 MB/s of bulk transfer (the printer's own speed, ~150-250 mm/s, then dominates).
"""

from __future__ import annotations

import statistics
import time

DESCRIPTION = "receipt size and generation time, raster vs code-page text, link time estimates"
SERIAL_BPS = 115200 / 10
USB_BPS = 1_000_000


def add_arguments(parser) -> None:
    parser.add_argument("--profile", default="TM-T88V", help="python-escpos profile (default TM-T88V)")
    parser.add_argument("--paper", choices=("58", "80"), default="80")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi")
    parser.add_argument("--repeat", type=int, default=5, help="renderings per figure (median)")


def _measure(receipt, profile, mode, repeat):
    from kiosk.devices.printer.decoder import decode
    from kiosk.devices.printer.render import render

    times = []
    out = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = render(receipt, profile, text_mode=mode)
        times.append((time.perf_counter() - t0) * 1000)
    paper = decode(out.data, profile)
    return out, statistics.median(times), paper.image.height / 8


def run(args) -> int:
    from kiosk.devices.printer.profile import load_profile
    from kiosk.receipts import KINDS
    from kiosk.receipts.samples import sample

    profile = load_profile(args.profile, args.paper)
    cp = profile.codepage_text
    print(f"profile {profile.name}, {profile.paper_mm} mm paper, {profile.dot_width} dots, "
          f"QR {'native GS ( k' if profile.qr_native else 'as image'}, Vietnamese code page: {cp or 'none'}")
    head = (f"{'receipt':<16} {'mode':<9} {'bytes':>7} {'gen ms':>7} {'paper mm':>8} "
            f"{'serial 115200 s':>15} {'USB FS s':>8}")
    print(head)
    print("-" * len(head))
    for kind in KINDS:
        receipt = sample(kind, args.lang, profile=profile.name, paper_mm=profile.paper_mm)
        for mode in ("raster", "codepage"):
            out, ms, mm = _measure(receipt, profile, mode, args.repeat)
            label = mode if out.text_mode == mode else f"{mode}->{out.text_mode}"
            if out.fallbacks:
                label += f" ({out.fallbacks} raster)"
            n = len(out.data)
            print(f"{kind:<16} {label:<9} {n:>7} {ms:>7.1f} {mm:>8.0f} {n / SERIAL_BPS:>15.2f} {n / USB_BPS:>8.3f}")
    print("goal: dossier receipt under 2 s on 115200-baud serial (about 23 000 bytes), Vietnamese exact")
    return 0
