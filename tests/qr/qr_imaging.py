"""Generated QR images with the troubles a kiosk camera meets (made with zxing-cpp + OpenCV)."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.devices.qr.simulated import desk_frame, make_code_image

SIZE = (1280, 720)


def _gray_to_bgr(img):
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img


def place(code: np.ndarray, size=SIZE, at=(400, 150), seed=0) -> np.ndarray:
    frame = desk_frame(size, np.random.default_rng(seed), level=120)
    code = _gray_to_bgr(code)
    h, w = code.shape[:2]
    x, y = at
    frame[y : y + h, x : x + w] = code
    return frame


def rotated(text: str, angle: float) -> np.ndarray:
    code = make_code_image(text, 6)
    h, w = code.shape
    diag = int((h * h + w * w) ** 0.5) + 2
    canvas = np.full((diag, diag), 255, np.uint8)
    canvas[(diag - h) // 2 : (diag - h) // 2 + h, (diag - w) // 2 : (diag - w) // 2 + w] = code
    m = cv2.getRotationMatrix2D((diag / 2, diag / 2), angle, 1.0)
    return place(cv2.warpAffine(canvas, m, (diag, diag), borderValue=255))


def perspective(text: str) -> np.ndarray:
    """The receipt tilted away from the camera: a trapezoid, one side 35% shorter."""
    code = make_code_image(text, 7)
    h, w = code.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0.2 * w, 0.12 * h], [0.8 * w, 0], [w, h], [0, 0.88 * h]])
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(code, m, (w, h), borderValue=255)
    return place(warped)


def blurred(text: str, sigma: float = 2.5) -> np.ndarray:
    return cv2.GaussianBlur(place(make_code_image(text, 7)), (0, 0), sigma)


def glare(text: str) -> np.ndarray:
    """A ceiling light reflected on glossy paper: a bright blob over a corner of the code."""
    frame = place(make_code_image(text, 7)).astype(np.float32)
    yy, xx = np.mgrid[0 : frame.shape[0], 0 : frame.shape[1]]
    blob = np.exp(-(((xx - 500) / 100.0) ** 2 + ((yy - 250) / 70.0) ** 2))
    frame = frame + 190 * blob[..., None]
    return np.clip(frame, 0, 255).astype(np.uint8)


def low_contrast(text: str) -> np.ndarray:
    code = make_code_image(text, 7).astype(np.float32)
    faded = (125 + code * (20 / 255.0)).astype(np.uint8)  # black 125, white 145
    return place(faded)


def phone_screen(text: str) -> np.ndarray:
    """A code on a phone: lit screen in a dark bezel, RGB sub-pixel stripes, moiré and blur."""
    code = make_code_image(text, 5)
    h, w = code.shape
    screen = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR).astype(np.float32)
    stripes = np.ones((h, w, 3), np.float32) * 0.8
    for c in range(3):
        stripes[:, c::3, c] = 1.0
    screen = screen * stripes * 1.05 + 10
    phone = np.full((h + 160, w + 60, 3), 25, np.float32)  # bezel
    phone[100 : 100 + h, 30 : 30 + w] = screen
    phone = cv2.resize(phone, None, fx=1.3, fy=1.3, interpolation=cv2.INTER_LINEAR)  # camera resamples the pixel grid
    phone = cv2.GaussianBlur(phone, (0, 0), 0.8)
    frame = place(np.clip(phone, 0, 255).astype(np.uint8), at=(420, 40))
    m = cv2.getRotationMatrix2D((640, 360), 8, 1.0)
    return cv2.warpAffine(frame, m, SIZE, borderValue=(120, 120, 120))


def noisy_jpeg(text: str, quality: int = 35) -> np.ndarray:
    frame = place(make_code_image(text, 5)).astype(np.int16)
    frame += np.random.default_rng(3).integers(-18, 19, frame.shape, dtype=np.int16)
    ok, buf = cv2.imencode(".jpg", np.clip(frame, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def small(text: str, module_px: int = 1) -> np.ndarray:
    """A code far away: a few pixels per module."""
    return place(make_code_image(text, module_px), at=(600, 330))


TROUBLES = {
    "rotated-30": lambda t: rotated(t, 30),
    "rotated-135": lambda t: rotated(t, 135),
    "perspective": perspective,
    "blurred": blurred,
    "glare": glare,
    "low-contrast": low_contrast,
    "phone-screen": phone_screen,
    "noisy-jpeg": noisy_jpeg,
}
