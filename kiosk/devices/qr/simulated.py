"""Simulated QR source: a camera that sees images, plus a wedge scanner you type into.

``qr_simulated_images`` in kiosk.ini chooses what the simulated camera sees:

- empty: an empty desk (generated frames with sensor noise) until ``show_image()``;
- ``generated``: a loop of generated codes for sample dossier codes (the demo);
- a path to an image: that image;
- a folder: its images in name order, each for ``seconds_per_image``;
- a video file (.mp4 .avi .mkv .webm .mov): its frames, looped.

``show_image(path_or_ndarray)`` makes the camera see that image (None: the desk again);
``show_document(title, lines)`` puts a generated document page on the desk (a white sheet with
lines of text, for photographing documents), optionally too dark or out of focus;
``inject(text)`` delivers a text as if a wedge scanner had typed it (terminator stripped).
Frames go through the same pipeline, decoders, guidance and duplicate suppression as a real
camera.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from kiosk.devices.base import DeviceState
from kiosk.devices.qr.camera import CameraPipeline, VideoCaptureFrames
from kiosk.devices.qr.decode import Decoded, DecodeError, load_image
from kiosk.devices.qr.scan import Framer
from kiosk.devices.qr.source import QrSourceDevice

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
VIDEO_EXTS = {".mp4", ".avi", ".mkv", ".webm", ".mov"}
DEMO_CODES = ("HS-2026-000123", "H01.22-261129-0042", "BD-000777-XN")


def make_code_image(text: str, module_px: int = 8, quiet: int = 4) -> np.ndarray:
    """A clean QR code as a gray image (white quiet zone), via zxing-cpp's writer."""
    import cv2
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    img = np.asarray(code.to_image(scale=module_px, add_quiet_zones=False))
    pad = quiet * module_px
    return cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def desk_frame(size: tuple[int, int], rng: np.random.Generator, level: int = 150) -> np.ndarray:
    w, h = size
    base = np.full((h, w, 3), level, np.uint8)
    noise = rng.integers(-3, 4, size=(h // 8, w // 8, 1), dtype=np.int16)
    import cv2

    noise = cv2.resize(noise.astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST)[..., None]
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def fit_in_frame(img: np.ndarray, size: tuple[int, int], level: int = 150) -> np.ndarray:
    """Letterbox an image into a camera-sized BGR frame (scaled down only when too big)."""
    import cv2

    w, h = size
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    ih, iw = img.shape[:2]
    scale = min(1.0, w / iw, h / ih)
    if scale < 1.0:
        img = cv2.resize(img, (max(1, int(iw * scale)), max(1, int(ih * scale))), interpolation=cv2.INTER_AREA)
        ih, iw = img.shape[:2]
    frame = np.full((h, w, 3), level, np.uint8)
    y, x = (h - ih) // 2, (w - iw) // 2
    frame[y : y + ih, x : x + iw] = img[..., :3]
    return frame


def make_document_page(title: str = "GIAY TO MAU", lines=(), size: tuple[int, int] = (1280, 720),
                       angle: float = 4.0, dark: bool = False, blur: int = 0, level: int = 150) -> np.ndarray:
    """A camera frame of a document page on the desk: a white A4-shaped sheet, slightly turned,
    with a title and lines of text (ASCII: diacritics are folded away).  ``dark`` dims the whole
    frame (a lamp off), ``blur`` (odd pixel size) puts it out of focus."""
    import unicodedata

    import cv2

    def fold(text: str) -> str:  # Hershey fonts are ASCII: "Giấy chứng sinh" → "Giay chung sinh"
        plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        return plain.replace("đ", "d").replace("Đ", "D").encode("ascii", "replace").decode()

    w, h = size
    page_h = int(h * 0.86)
    page_w = int(page_h / 1.414)
    page = np.full((page_h, page_w, 3), 246, np.uint8)
    scale = page_h / 900.0
    y = int(70 * scale)
    cv2.putText(page, fold(title).upper()[:28], (int(40 * scale), y), cv2.FONT_HERSHEY_DUPLEX, 0.9 * scale,
                (20, 20, 20), max(1, int(2 * scale)), cv2.LINE_AA)
    body = list(lines) or ["Ho va ten: Nguyen Van A", "Ngay sinh: 01/01/2020", "Noi sinh: Benh vien Bach Mai",
                           "Gioi tinh: Nam", "Dan toc: Kinh", "Quoc tich: Viet Nam"]
    y += int(30 * scale)
    for i in range(22):
        y += int(34 * scale)
        if y > page_h - int(40 * scale):
            break
        text = fold(body[i]) if i < len(body) else "." * (20 + (i * 7) % 25)
        cv2.putText(page, text[:40], (int(40 * scale), y), cv2.FONT_HERSHEY_SIMPLEX, 0.62 * scale,
                    (40, 40, 40), max(1, int(1.4 * scale)), cv2.LINE_AA)
    frame = np.full((h, w, 3), level, np.uint8)
    x0, y0 = (w - page_w) // 2, (h - page_h) // 2
    frame[y0:y0 + page_h, x0:x0 + page_w] = page
    if angle:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        frame = cv2.warpAffine(frame, m, (w, h), borderValue=(level, level, level))
    if blur:
        k = int(blur) | 1
        frame = cv2.GaussianBlur(frame, (k, k), 0)
    if dark:
        frame = (frame.astype(np.float32) * 0.18).astype(np.uint8)
    return frame


class SimulatedQrSource(QrSourceDevice):
    simulated = True
    source_name = "simulated"

    def __init__(self, images: str | Path | None = None, size=(1280, 720), fps: int = 15, board=None,
                 seconds_per_image: float = 2.0, **kw):
        super().__init__("simulated QR source", board, **kw)
        self.size = size
        self.fps = fps
        self.seconds_per_image = seconds_per_image
        self.framer = Framer()
        self._shown: np.ndarray | None = None
        self._shown_lock = threading.Lock()
        self._rng = np.random.default_rng(7)
        self._playlist: list[np.ndarray] = []
        self._video: VideoCaptureFrames | None = None
        self._started_at = time.monotonic()
        self.pipeline: CameraPipeline | None = None
        self._configure(images)

    def _configure(self, images) -> None:
        raw = str(images or "").strip()
        if not raw:
            return
        if raw == "generated":
            self._playlist = [fit_in_frame(make_code_image(c, 6), self.size) for c in DEMO_CODES]
            self._freeze()
            return
        path = Path(raw).expanduser()
        try:
            if path.is_dir():
                files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXTS)
                self._playlist = [fit_in_frame(load_image(p), self.size) for p in files]
            elif path.suffix.lower() in VIDEO_EXTS:
                self._video = VideoCaptureFrames(self, str(path), self.size, self.fps, loop=True)
            elif path.exists():
                self._playlist = [fit_in_frame(load_image(path), self.size)]
            else:
                self.set_status(state=DeviceState.NO_DEVICE, last_error=f"simulated images not found: {path.name}")
        except DecodeError as exc:  # an unreadable or oversized picture (refused before decoding)
            self._playlist = []
            self.set_status(state=DeviceState.NO_DEVICE, last_error=f"simulated images refused: {exc}")
        self._freeze()

    def _freeze(self) -> None:
        for frame in self._playlist:
            frame.flags.writeable = False  # shared with preview(): nobody may draw on it

    # --- what tests and the demo call --------------------------------------------------------

    def show_image(self, image: str | Path | np.ndarray | None) -> None:
        """The simulated camera now sees this image (None: back to the configured scene)."""
        if image is None:
            frame = None
        else:
            img = load_image(image) if isinstance(image, (str, Path)) else image
            if img.ndim == 3 and img.shape[2] == 4:
                img = img[..., :3]
            if img.ndim == 3 and (img.shape[1], img.shape[0]) == tuple(self.size):
                frame = img.copy()
            else:
                frame = fit_in_frame(img, self.size)
        if frame is not None:
            frame.flags.writeable = False  # shared with preview(): nobody may draw on it
        with self._shown_lock:
            self._shown = frame

    def show_document(self, title: str = "GIAY TO MAU", lines=(), *, dark: bool = False, blur: int = 0) -> None:
        """A generated document page on the desk (see ``make_document_page``)."""
        self.show_image(make_document_page(title, lines, self.size, dark=dark, blur=blur))

    def inject(self, payload_text: str) -> bool:
        """A text arrives as if typed by a wedge scanner; True when reported (not a duplicate)."""
        data = payload_text.encode("utf-8")
        texts = self.framer.feed(data, 0.0) + self.framer.flush()
        reported = False
        for text in texts:
            reported = self._emit(text, "keyboard") or reported
        return reported

    # --- device ------------------------------------------------------------------------------

    def open(self) -> None:
        if self.status.state != DeviceState.NO_DEVICE:
            self.set_status(state=DeviceState.ONLINE, last_error=None,
                            detail=f"{self.size[0]}x{self.size[1]} simulated")

    def _scene(self) -> np.ndarray:
        with self._shown_lock:
            shown = self._shown
        if shown is not None:
            return shown
        if self._playlist:
            i = int((time.monotonic() - self._started_at) / self.seconds_per_image) % len(self._playlist)
            return self._playlist[i]
        return desk_frame(self.size, self._rng)

    def _grab(self) -> np.ndarray | None:
        if not self.listening:  # nobody looks: no frames to make
            self._listening.wait(0.2)
            return None
        with self._shown_lock:
            shown = self._shown
        if shown is None and self._video is not None:
            return self._video.grab()
        if self._wait(1.0 / self.fps):
            return None
        return self._scene()

    def _workers(self):
        self.pipeline = CameraPipeline(self._grab, self._on_decoded, self._stop_event, listening=self._listening)
        return [self.pipeline.grabber, self.pipeline.decoder]

    def _on_decoded(self, found: list[Decoded]) -> None:
        for d in found:
            self._emit(d.text, d.decoder, d.points)

    def _release(self) -> None:
        if self._video is not None:
            self._video.release()

    def preview(self):
        return self.pipeline.preview() if self.pipeline else None

    def forget_frames(self) -> None:
        """The session ended: what was shown to the simulated camera (a card's QR, a document
        page) leaves the desk, and the last frame and the preview go with it."""
        with self._shown_lock:
            self._shown = None
        if self.pipeline is not None:
            self.pipeline.forget_frames()
