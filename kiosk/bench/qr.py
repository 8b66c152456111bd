"""``kiosk bench qr``: each decoder alone and the cascade, side by side, on the QR corpus.

For each of zxing-cpp, pyzbar, OpenCV (ArUco detector) and the cascade ("auto"): correct
payloads out of the corpus's QR images, false positives on its no-QR images, wrong texts, and
median / p95 milliseconds per image (image already in memory, grayscale conversion included),
pinned to one CPU core.  Then the camera loop's frames per second on a synthetic 1280x720
stream (code in view, empty scene), frames offered as fast as the loop takes them.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from pathlib import Path

DESCRIPTION = "QR decoders vs cascade on ../shared/qr-corpus, and camera-loop fps"

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "qr-corpus"


def add_arguments(parser) -> None:
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS),
                        help="folder with qrcode-* and falsepositives-* (default: %(default)s)")
    parser.add_argument("--decoders", default="zxing,pyzbar,opencv,auto", help="comma-separated (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="duration of each camera-loop run (default: %(default)s)")
    parser.add_argument("--no-camera", action="store_true", help="skip the camera-loop measurement")
    parser.add_argument("--all-cores", action="store_true", help="do not pin to one core")
    parser.add_argument("--list-failures", action="store_true", help="name the images each decoder missed")


def corpus_items(root: Path) -> tuple[list[tuple[Path, str]], list[Path]]:
    """(image, expected text) for QR images, and the no-QR images."""
    positives: list[tuple[Path, str]] = []
    negatives: list[Path] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for img in sorted(folder.iterdir()):
            if img.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"):
                continue
            if folder.name.startswith("falsepositives"):
                negatives.append(img)
            elif folder.name.startswith("qrcode"):
                expected = img.with_suffix(".txt").read_bytes().decode("utf-8")
                positives.append((img, expected))
    return positives, negatives


def measure_decoder(name: str, positives, negatives, images) -> dict:
    from kiosk.devices.qr.decode import decode_image

    ok = wrong = fp = 0
    times = []
    missed = []
    for path, expected in positives:
        t0 = time.perf_counter()
        found = decode_image(images[path], name)
        times.append((time.perf_counter() - t0) * 1000)
        texts = [d.text for d in found]
        if expected in texts:
            ok += 1
        else:
            missed.append(path)
            if texts:
                wrong += 1
    for path in negatives:
        t0 = time.perf_counter()
        found = decode_image(images[path], name)
        times.append((time.perf_counter() - t0) * 1000)
        if found:
            fp += 1
    times.sort()
    return {
        "decoder": name,
        "ok": ok,
        "wrong": wrong,
        "fp": fp,
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
        "mean": statistics.fmean(times),
        "missed": missed,
    }


def synthetic_frames(code_in_view: bool, n: int = 24):
    """1280x720 BGR frames: a desk, and optionally a dossier-receipt code moving and turning."""
    import cv2
    import numpy as np

    from kiosk.devices.qr.simulated import desk_frame, make_code_image

    rng = np.random.default_rng(1)
    code = make_code_image("HS-2026-000123", 6)
    frames = []
    for i in range(n):
        frame = desk_frame((1280, 720), rng)
        if code_in_view:
            angle = (i * 7) % 40 - 20
            m = cv2.getRotationMatrix2D((code.shape[1] / 2, code.shape[0] / 2), angle, 1.0)
            rotated = cv2.warpAffine(code, m, (code.shape[1], code.shape[0]), borderValue=255)
            x, y = 200 + 25 * i, 150 + 5 * i
            h, w = rotated.shape
            frame[y : y + h, x : x + w] = cv2.cvtColor(rotated, cv2.COLOR_GRAY2BGR)
        frames.append(frame)
    return frames


def measure_camera_loop(code_in_view: bool, seconds: float) -> dict:
    from kiosk.devices.qr.camera import CameraPipeline

    frames = synthetic_frames(code_in_view)
    stop = threading.Event()
    reads = [0]
    counter = [0]

    def grab():
        counter[0] += 1
        time.sleep(0.001)  # a camera never hands frames faster than this
        return frames[counter[0] % len(frames)]

    def on_decoded(found):
        reads[0] += 1

    pipe = CameraPipeline(grab, on_decoded, stop)
    threads = [threading.Thread(target=pipe.grabber, daemon=True), threading.Thread(target=pipe.decoder, daemon=True)]
    for t in threads:
        t.start()
    time.sleep(0.3)  # warm up
    d0, t0 = pipe.decoded_frames, time.perf_counter()
    ms0 = pipe.decode_ms_total
    time.sleep(seconds)
    d1, t1 = pipe.decoded_frames, time.perf_counter()
    ms1 = pipe.decode_ms_total
    stop.set()
    for t in threads:
        t.join(timeout=5)
    frames_done = d1 - d0
    return {
        "fps": frames_done / (t1 - t0),
        "ms_per_frame": (ms1 - ms0) / frames_done if frames_done else float("nan"),
        "dropped": pipe.dropped,
        "frames_read": reads[0],
        "decoded": pipe.decoded_frames,
    }


def run(args) -> int:
    import cv2

    from kiosk.devices.qr.decode import decode_image, load_image

    root = Path(args.corpus).resolve()
    if not root.is_dir():
        print(f"kiosk bench qr: corpus not found at {root}")
        return 2
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        cv2.setNumThreads(1)
        where = f"pinned to CPU {cpu}"
    else:
        where = "all cores"
    positives, negatives = corpus_items(root)
    images = {p: load_image(p) for p, _ in positives}
    images.update({p: load_image(p) for p in negatives})
    names = [n.strip() for n in args.decoders.split(",") if n.strip()]
    for name in names:  # warm up imports and detector objects outside the timings
        decode_image(images[positives[0][0]], name)
    print(f"QR corpus {root}: {len(positives)} images with a QR code, {len(negatives)} without; {where}")
    print()
    head = (f"{'decoder':<10} {'correct':>9} {'wrong':>6} {'false pos':>10} "
            f"{'median ms':>10} {'p95 ms':>8} {'mean ms':>8}")
    print(head)
    print("-" * len(head))
    results = []
    for name in names:
        r = measure_decoder(name, positives, negatives, images)
        results.append(r)
        print(
            f"{name:<10} {r['ok']:>4}/{len(positives):<4} {r['wrong']:>6} {r['fp']:>4}/{len(negatives):<5} "
            f"{r['median']:>10.2f} {r['p95']:>8.2f} {r['mean']:>8.2f}"
        )
    if args.list_failures:
        for r in results:
            print(f"\n{r['decoder']} missed {len(r['missed'])}:")
            for p in r["missed"]:
                print(f"  {p.relative_to(root)}")
    if not args.no_camera:
        print()
        print(f"camera loop, synthetic 1280x720 stream, {args.seconds:g} s each ({where}):")
        head = f"{'scene':<14} {'frames/s':>9} {'ms/frame':>9} {'dropped':>8} {'reads':>6}"
        print(head)
        print("-" * len(head))
        for label, code in (("code in view", True), ("empty desk", False)):
            c = measure_camera_loop(code, args.seconds)
            print(f"{label:<14} {c['fps']:>9.1f} {c['ms_per_frame']:>9.2f} {c['dropped']:>8} {c['frames_read']:>6}")
    return 0
