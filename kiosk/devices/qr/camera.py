"""Camera QR source: OpenCV VideoCapture → latest-frame slot → decoder thread.

Two threads: the grabber reads frames at the camera's pace and keeps only the newest one (a
one-slot mailbox: frames the decoder had no time for are dropped, never queued); the decoder
takes the newest frame, runs the cascade, computes guidance for the screen and emits scans.
A camera that stops delivering frames (unplugged) is released and reopened every
``REOPEN_SECONDS`` until it answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk import imagelimits
from kiosk.devices.base import DeviceState
from kiosk.devices.qr.decode import CASCADE, Decoded, FrameResult, decode_frame
from kiosk.devices.qr.source import QrSourceDevice

log = logging.getLogger(__name__)

REOPEN_SECONDS = 2.0
FAILED_READS_BEFORE_REOPEN = 10

HINT_FOUND = "qr.hint.found"
HINT_CLOSER = "qr.hint.closer"
HINT_HOLD_STILL = "qr.hint.hold_still"
HINT_SHOW_CODE = "qr.hint.show_code"

# Guidance thresholds (measured on generated frames, see tests/qr/test_guidance.py):
CLOSER_FRACTION = 0.15  # code side / frame's short side below this: "come closer"
MOTION_THRESHOLD = 3.0  # % of a 160x90 thumbnail that changed by more than MOTION_LEVEL since the last frame
MOTION_LEVEL = 20  # grey levels: well above sensor noise and slow light changes
FOUND_HOLD_SECONDS = 1.0  # keep saying "found" this long after a read, so the hint does not flicker


@dataclass(frozen=True)
class Guidance:
    key: str
    points: tuple[tuple[float, float], ...] | None  # outline of the code read (or seen)
    code_fraction: float  # code side / frame short side (0 when none seen)
    motion: float  # % of the frame that changed since the previous frame
    sharpness: float  # variance of the Laplacian over the code region (or the frame)


def _thumb(gray: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.resize(gray, (160, 90), interpolation=cv2.INTER_AREA).astype(np.int16)


def _sharpness(gray: np.ndarray, points) -> float:
    import cv2

    region = gray
    if points:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        x0, x1 = max(0, int(min(xs))), min(gray.shape[1], int(max(xs)) + 1)
        y0, y1 = max(0, int(min(ys))), min(gray.shape[0], int(max(ys)) + 1)
        if x1 - x0 >= 8 and y1 - y0 >= 8:
            region = gray[y0:y1, x0:x1]
    return float(cv2.Laplacian(region, cv2.CV_64F).var())


def _side(points) -> float:
    return Decoded("", tuple(points), "").side_px if points else 0.0


class GuidanceTracker:
    """Turns per-frame decode results into one guidance key per frame."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._prev: np.ndarray | None = None
        self._found_at = -1e9
        self._found_points = None

    def update(self, gray: np.ndarray, result: FrameResult) -> Guidance:
        thumb = _thumb(gray)
        if self._prev is not None and self._prev.shape == thumb.shape:
            motion = float((np.abs(thumb - self._prev) > MOTION_LEVEL).mean() * 100.0)
        else:
            motion = 0.0
        self._prev = thumb
        short = float(min(gray.shape[:2])) or 1.0
        now = self.clock()
        if result.decoded:
            pts = result.decoded[0].points or None
            self._found_at, self._found_points = now, pts
            return Guidance(HINT_FOUND, pts, _side(pts) / short, motion, _sharpness(gray, pts))
        if result.candidates:
            pts = max(result.candidates, key=_side)
            fraction = _side(pts) / short
            key = HINT_CLOSER if fraction < CLOSER_FRACTION else HINT_HOLD_STILL
            return Guidance(key, pts, fraction, motion, _sharpness(gray, pts))
        if now - self._found_at < FOUND_HOLD_SECONDS:
            return Guidance(HINT_FOUND, self._found_points, 0.0, motion, 0.0)
        key = HINT_HOLD_STILL if motion > MOTION_THRESHOLD else HINT_SHOW_CODE
        return Guidance(key, None, 0.0, motion, _sharpness(gray, None))


class CameraPipeline:
    """Grabber + decoder threads over any ``grab() -> frame | None`` function.

    ``grab`` blocks at the camera's pace (or sleeps, for simulated frames); returning None
    means "no frame now" (the grab function handles reopening).  ``on_decoded(list[Decoded])``
    is called from the decoder thread for every frame where something was read.
    """

    def __init__(
        self,
        grab: Callable[[], np.ndarray | None],
        on_decoded: Callable[[list[Decoded]], None],
        stop_event: threading.Event,
        steps=CASCADE,
        listening: threading.Event | None = None,
    ):
        self.grab = grab
        self.on_decoded = on_decoded
        self.stop_event = stop_event
        self.listening = listening  # cleared: frames are still grabbed, not decoded
        self.steps = steps
        self.guidance = GuidanceTracker()
        self._cond = threading.Condition()
        self._slot: np.ndarray | None = None
        self._slot_seq = 0
        self._latest_frame: np.ndarray | None = None
        self._latest_guidance: Guidance | None = None
        # counters
        self.grabbed = 0
        self.decoded_frames = 0
        self.dropped = 0
        self.decode_ms_total = 0.0
        self.bad_frames = 0

    def grabber(self) -> None:
        while not self.stop_event.is_set():
            frame = self.grab()
            if frame is None:
                continue
            with self._cond:
                if self._slot is not None and (self.listening is None or self.listening.is_set()):
                    self.dropped += 1  # the decoder had no time for the previous one (not paused)
                self._slot = frame
                self._slot_seq += 1
                self._latest_frame = frame
                self.grabbed += 1
                self._cond.notify()
        with self._cond:
            self._cond.notify_all()

    def decoder(self) -> None:
        import cv2

        from kiosk.devices.qr.decode import to_gray

        cv2.setNumThreads(1)
        while not self.stop_event.is_set():
            with self._cond:
                while self._slot is None and not self.stop_event.is_set():
                    self._cond.wait(0.2)
                frame, self._slot = self._slot, None
            if frame is None:
                continue
            if self.listening is not None and not self.listening.is_set():
                self._latest_guidance = None
                self.listening.wait(0.2)
                continue
            try:
                result = decode_frame(frame, self.steps)
                gray = to_gray(frame)
                self._latest_guidance = self.guidance.update(gray, result)
            except Exception:  # one odd frame (size, format) must not stop the camera
                self.bad_frames += 1
                if self.bad_frames in (1, 10, 100) or self.bad_frames % 1000 == 0:
                    log.exception("qr frame could not be decoded", extra={"bad_frames": self.bad_frames})
                continue
            self.decoded_frames += 1
            self.decode_ms_total += result.ms
            if result.decoded:
                self.on_decoded(result.decoded)

    def preview(self):
        frame, g = self._latest_frame, self._latest_guidance
        if frame is None:
            return None
        if g is None:
            return frame, None, HINT_SHOW_CODE
        return frame, g.points, g.key

    @property
    def latest_guidance(self) -> Guidance | None:
        return self._latest_guidance

    def forget_frames(self) -> None:
        """Drop every frame held (the slot, the preview's last frame, its guidance): the session
        ended, and what the camera last saw (an ID card, a document page) goes with it."""
        with self._cond:
            self._slot = None
            self._latest_frame = None
            self._latest_guidance = None
            self.guidance = GuidanceTracker()


def _capture_target(raw: str):
    """kiosk.ini qr_camera: a device index ("0"), a path (/dev/video2) or a URL (rtsp://…)."""
    raw = raw.strip()
    return int(raw) if raw.isdigit() else raw


class VideoCaptureFrames:
    """``grab()`` over cv2.VideoCapture with reopen after unplug; reports status to ``device``."""

    def __init__(self, device: CameraQrSource, target, size: tuple[int, int], fps: int, loop: bool = False):
        self.device = device
        self.target = target
        self.size = size
        self.fps = fps
        self.loop = loop  # a video file: start again at the end (simulated source)
        self.cap = None
        self.failures = 0
        self._next_open = 0.0

    def open(self) -> bool:
        import cv2

        self.release()
        cap = cv2.VideoCapture(self.target)
        if not cap.isOpened():
            cap.release()
            self.device.set_status(state=DeviceState.NO_DEVICE, last_error="camera does not open")
            return False
        if isinstance(self.target, int) or str(self.target).startswith("/dev/"):
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
            cap.set(cv2.CAP_PROP_FPS, self.fps)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # we want the newest frame, not a backlog
        self.cap = cap
        self.failures = 0
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if w * h > imagelimits.MAX_IMAGE_PIXELS or max(w, h) > imagelimits.MAX_SIDE:
            # a video file (or a stream) declaring a huge frame: refused before its first frame is decoded
            cap.release()
            self.cap = None
            self.device.set_status(state=DeviceState.NO_DEVICE,
                                   last_error=f"camera frames of {w}x{h} exceed {imagelimits.MAX_IMAGE_PIXELS} pixels")
            return False
        self.device.set_status(state=DeviceState.ONLINE, last_error=None, detail=f"{w}x{h}")
        return True

    def release(self) -> None:
        if self.cap is not None:
            try:
                self.cap.release()
            finally:
                self.cap = None

    def grab(self) -> np.ndarray | None:
        import cv2

        if self.cap is None:
            now = time.monotonic()
            if now < self._next_open:
                self.device._wait(min(0.2, self._next_open - now))
                return None
            self._next_open = now + REOPEN_SECONDS
            if not self.open():
                return None
        ok, frame = self.cap.read()
        if ok and frame is not None and frame.shape[0] * frame.shape[1] > imagelimits.MAX_IMAGE_PIXELS:
            frame = None  # the stream changed its size to something absurd: never decoded further
            ok = False
        if ok and frame is not None:
            self.failures = 0
            if self.loop:
                self.device._wait(1.0 / self.fps)
            return frame
        if self.loop and self.cap.get(cv2.CAP_PROP_FRAME_COUNT) > 0:
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)  # end of a video file: loop
            self.failures += 1
            if self.failures < 3:
                return None
        self.failures += 1
        if self.failures >= FAILED_READS_BEFORE_REOPEN:
            log.warning("camera stopped delivering frames; reopening")
            self.release()
            self.device.set_status(state=DeviceState.NO_DEVICE,
                                   last_error="camera stopped delivering frames (unplugged?)")
            self._next_open = time.monotonic() + REOPEN_SECONDS
        else:
            self.device._wait(0.05)
        return None


class CameraQrSource(QrSourceDevice):
    """A camera (index, /dev/video path or stream URL) from kiosk.ini."""

    source_name = "camera"

    def __init__(self, target: str, size=(1280, 720), fps: int = 15, board=None, **kw):
        super().__init__(f"camera {target}", board, **kw)
        self.frames = VideoCaptureFrames(self, _capture_target(target), size, fps)
        self.pipeline: CameraPipeline | None = None

    def open(self) -> None:
        if self.frames.cap is None:
            self.frames.open()

    def _workers(self):
        self.pipeline = CameraPipeline(self.frames.grab, self._on_decoded, self._stop_event, listening=self._listening)
        return [self.pipeline.grabber, self.pipeline.decoder]

    def _on_decoded(self, found: list[Decoded]) -> None:
        for d in found:  # several codes in one frame: every one is reported
            self._emit(d.text, d.decoder, d.points)

    def _release(self) -> None:
        self.frames.release()

    def preview(self):
        return self.pipeline.preview() if self.pipeline else None

    def forget_frames(self) -> None:
        """The session ended: the last frame and the preview go (see ``CameraPipeline.forget_frames``)."""
        if self.pipeline is not None:
            self.pipeline.forget_frames()
