"""QR decoding: zxing-cpp, pyzbar and OpenCV behind one interface, and the cascade.

``decode_image(ndarray_or_path, decoder="auto") -> list[Decoded]``

``decoder`` is ``"zxing"``, ``"pyzbar"`` or ``"opencv"`` for one library on the grayscale image,
or ``"auto"`` for the cascade below.  Texts are byte-exact: zxing-cpp runs in its ``Plain``
text mode (control characters such as GS and CR LF kept; its default "HRI" mode rewrites them
as ``<GS>`` or GS1 brackets), pyzbar's and OpenCV's bytes are decoded as UTF-8 (Shift-JIS, then
Latin-1, when that fails).

The cascade (order chosen by measurement on ``../shared/qr-corpus``, see docs/qr.md and
``kiosk bench qr``): each step runs only when every step before it found nothing, so an
image that the first step reads costs one zxing call (~0.3 ms).

  1. zxing-cpp, default options (local-average binarizer, tries rotations, inversion and its
     own downscaled pyramid)                                             125/137 alone
  2. zxing-cpp, global-histogram binarizer (uneven light, low contrast)   +3
  3. zxing-cpp, 3x3 Gaussian blur + global histogram (halftone/moiré
     prints, JPEG block noise)                                           +2
  4. pyzbar on the grayscale image (a second opinion on damaged codes)   +1
                                                                         131/137, 0 false pos.

Measured and left out because they added nothing on top of these steps (and cost time):
2x/1.5x upscale, 0.5x downscale, adaptive threshold, Otsu, CLAHE, median blur, OpenCV's two
detectors (38/137 and 49/137 alone, 4-9 ms).  ``is_pure=True`` was measured too and is
dangerous: it "decodes" every no-QR image.

Images larger than ``MAX_SIDE`` are downscaled first (speed); images smaller than a version-1
QR code (21 px) are answered "nothing" without decoding.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kiosk import imagelimits

DECODERS = ("auto", "zxing", "pyzbar", "opencv")
MAX_SIDE = 2048  # longer side above this is downscaled before decoding
MIN_SIDE = 21  # a version-1 QR code is 21 modules: nothing smaller can hold one

Point = tuple[float, float]


@dataclass(frozen=True)
class Decoded:
    """One decoded code: its text, its outline in image pixels, who read it."""

    text: str
    points: tuple[Point, ...]  # corners (top-left, top-right, bottom-right, bottom-left) when known
    decoder: str  # library and cascade step, e.g. "zxing", "zxing-gh", "pyzbar"

    @property
    def side_px(self) -> float:
        """Mean side length of the outline, in pixels (0 when unknown)."""
        pts = self.points
        if len(pts) < 2:
            return 0.0
        total = 0.0
        for i in range(len(pts)):
            (x1, y1), (x2, y2) = pts[i], pts[(i + 1) % len(pts)]
            total += ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        return total / len(pts)


@dataclass(frozen=True)
class FrameResult:
    """Result of decoding a camera frame: codes read, plus codes seen but not read."""

    decoded: list[Decoded]
    candidates: list[tuple[Point, ...]]  # outlines of codes located but not decodable
    ms: float


class DecodeError(Exception):
    message_key = "qr.image_unreadable"
    next_step = "next.try_again"


# --- images ------------------------------------------------------------------------------------


class ImageTooLargeError(DecodeError):
    """An image file declaring more pixels than ``imagelimits.MAX_IMAGE_PIXELS``, refused before
    any decoder allocated its bitmap."""


def load_image(path: str | Path, max_pixels: int = imagelimits.MAX_IMAGE_PIXELS) -> np.ndarray:
    """BGR image from a file; OpenCV first, Pillow for what OpenCV cannot read (tiny WebP…).

    The dimensions are read from the file's header first and an image over ``max_pixels`` is
    refused (``ImageTooLargeError``) before either decoder runs: a 30 KB PNG can declare
    12000×12000 pixels."""
    import cv2

    name = Path(path).name
    try:
        data = imagelimits.read_image_file(path, what=f"image {name}")
        size = imagelimits.check_image(data, max_pixels, what=f"image {name}")
    except imagelimits.ImageTooLarge as exc:
        raise ImageTooLargeError(exc.detail) from None
    except imagelimits.ImageRefused as exc:
        raise DecodeError(f"cannot read image {name}: {exc.detail}") from None
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # the very bytes checked
    if img is None:
        try:
            import io

            from PIL import Image

            with Image.open(io.BytesIO(data)) as im:
                if (im.width, im.height) != (size.width, size.height):
                    raise DecodeError(f"image {name}: its header and its decoder disagree on its size")
                rgb = np.asarray(im.convert("RGB"))
        except DecodeError:
            raise
        except Exception as exc:  # unreadable or not an image
            raise DecodeError(f"cannot read image {name}: {exc.__class__.__name__}") from None
        img = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return img


def to_gray(img: np.ndarray) -> np.ndarray:
    import cv2

    if img.ndim == 2:
        return img if img.dtype == np.uint8 else img.astype(np.uint8)
    if img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def _bytes_to_text(data: bytes) -> str:
    for enc in ("utf-8", "shift_jis"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# --- the three libraries -----------------------------------------------------------------------


def _zxing(gray: np.ndarray, binarizer: str = "local", return_errors: bool = False):
    import zxingcpp

    b = {
        "local": zxingcpp.Binarizer.LocalAverage,
        "global": zxingcpp.Binarizer.GlobalHistogram,
    }[binarizer]
    return zxingcpp.read_barcodes(
        gray,
        formats=zxingcpp.BarcodeFormat.QRCode,
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=b,
        return_errors=return_errors,
    )


def _zx_points(r) -> tuple[Point, ...]:
    p = r.position
    return tuple((float(q.x), float(q.y)) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left))


def zxing_decode(gray: np.ndarray, binarizer: str = "local", name: str = "zxing") -> list[Decoded]:
    return [Decoded(r.text, _zx_points(r), name) for r in _zxing(gray, binarizer)]


def pyzbar_decode(gray: np.ndarray, name: str = "pyzbar") -> list[Decoded]:
    from pyzbar import pyzbar

    out = []
    for s in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        pts = tuple((float(p.x), float(p.y)) for p in s.polygon)
        out.append(Decoded(_bytes_to_text(s.data), pts, name))
    return out


_cv_local = threading.local()


def opencv_decode(gray: np.ndarray, name: str = "opencv") -> list[Decoded]:
    """OpenCV's ArUco-based QR detector (the better of its two: 49 vs 38 of 137)."""
    import cv2

    det = getattr(_cv_local, "det", None)
    if det is None:  # detector objects are not thread-safe: one per thread
        det = _cv_local.det = cv2.QRCodeDetectorAruco()
    try:
        ok, texts, pts, _ = det.detectAndDecodeBytesMulti(gray)
    except cv2.error:
        return []
    out = []
    if ok and texts is not None:
        for i, t in enumerate(texts):
            if t is None or len(t) == 0:
                continue
            corners = tuple((float(x), float(y)) for x, y in pts[i]) if pts is not None else ()
            out.append(Decoded(_bytes_to_text(bytes(t)), corners, name))
    return out


# --- the cascade -------------------------------------------------------------------------------


def _blur3(gray: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(gray, (3, 3), 0)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[np.ndarray], list[Decoded]]


CASCADE: tuple[Step, ...] = (
    Step("zxing", lambda g: zxing_decode(g)),
    Step("zxing-gh", lambda g: zxing_decode(g, "global", "zxing-gh")),
    Step("zxing-blur-gh", lambda g: zxing_decode(_blur3(g), "global", "zxing-blur-gh")),
    Step("pyzbar", lambda g: pyzbar_decode(g)),
)

SINGLE: dict[str, Callable[[np.ndarray], list[Decoded]]] = {
    "zxing": lambda g: zxing_decode(g),
    "pyzbar": lambda g: pyzbar_decode(g),
    "opencv": lambda g: opencv_decode(g),
}


def _prepare(image: np.ndarray | str | Path) -> tuple[np.ndarray | None, float]:
    """Grayscale image ready to decode and the factor to map points back (None: too small)."""
    import cv2

    img = load_image(image) if isinstance(image, (str, Path)) else image
    if not isinstance(img, np.ndarray) or img.ndim not in (2, 3):
        raise DecodeError("expected an image array (H×W gray or H×W×3 BGR)")
    gray = to_gray(img)
    h, w = gray.shape[:2]
    if min(h, w) < MIN_SIDE:
        return None, 1.0
    scale = 1.0
    if max(h, w) > MAX_SIDE:
        scale = MAX_SIDE / max(h, w)
        gray = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(gray), scale


def _rescale(found: list[Decoded], scale: float) -> list[Decoded]:
    if scale == 1.0:
        return found
    inv = 1.0 / scale
    return [Decoded(d.text, tuple((x * inv, y * inv) for x, y in d.points), d.decoder) for d in found]


def _unique(found: list[Decoded]) -> list[Decoded]:
    seen: set[str] = set()
    out = []
    for d in found:
        if d.text not in seen:
            seen.add(d.text)
            out.append(d)
    return out


def run_cascade(gray: np.ndarray, steps: Sequence[Step] = CASCADE) -> list[Decoded]:
    for step in steps:
        found = step.run(gray)
        if found:
            return _unique(found)
    return []


def decode_image(image: np.ndarray | str | Path, decoder: str = "auto") -> list[Decoded]:
    """Every QR code found in an image (path or BGR/gray array), texts byte-exact."""
    if decoder not in DECODERS:
        raise ValueError(f"decoder must be one of {', '.join(DECODERS)}")
    gray, scale = _prepare(image)
    if gray is None:
        return []
    if decoder == "auto":
        return _rescale(run_cascade(gray), scale)
    return _rescale(_unique(SINGLE[decoder](gray)), scale)


LOCATE_WIDTH = 960  # OpenCV's locator runs on a frame downscaled to this width (1-3 ms)


def locate(gray: np.ndarray) -> list[tuple[Point, ...]]:
    """Outlines of QR codes OpenCV's finder-pattern locator sees (no decoding)."""
    import cv2

    h, w = gray.shape[:2]
    scale = min(1.0, LOCATE_WIDTH / w)
    small = cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1.0 else gray
    det = getattr(_cv_local, "det", None)
    if det is None:
        det = _cv_local.det = cv2.QRCodeDetectorAruco()
    try:
        ok, pts = det.detect(small)
    except cv2.error:
        return []
    if not ok or pts is None:
        return []
    quad = np.asarray(pts, dtype=np.float64).reshape(-1, 2)[:4] / scale
    return [tuple((float(x), float(y)) for x, y in quad)]


def decode_frame(frame: np.ndarray, steps: Sequence[Step] = CASCADE, locate_unread: bool = True) -> FrameResult:
    """Decode a camera frame; also report codes located but not read (for guidance).

    The first step asks zxing-cpp for failed symbols too, so a blurred or too-small code still
    gives an outline; the later steps run only when nothing was read; when nothing was read
    or located, OpenCV's locator (finder patterns, no decoding; no false candidate on the
    corpus's 46 no-QR images) gets a last look, for the guidance only.
    """
    t0 = time.perf_counter()
    gray, scale = _prepare(frame)
    if gray is None:
        return FrameResult([], [], 0.0)
    decoded: list[Decoded] = []
    candidates: list[tuple[Point, ...]] = []
    first, rest = steps[0], steps[1:]
    if first.name == "zxing":
        for r in _zxing(gray, "local", return_errors=True):
            if r.valid and not r.error:
                decoded.append(Decoded(r.text, _zx_points(r), "zxing"))
            else:
                candidates.append(_zx_points(r))
    else:
        decoded = first.run(gray)
    if not decoded and rest:
        decoded = run_cascade(gray, rest)
    if not decoded and not candidates and locate_unread:
        candidates = locate(gray)
    decoded = _rescale(_unique(decoded), scale)
    if scale != 1.0:
        candidates = [tuple((x / scale, y / scale) for x, y in c) for c in candidates]
    return FrameResult(decoded, candidates, (time.perf_counter() - t0) * 1000.0)
