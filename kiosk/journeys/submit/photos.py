"""Document photos: a captured camera frame's quality hint (too dark, blurred, no page found)
and its JPEG bytes."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np

from kiosk.journeys.submit.draft import HINT_BLURRED, HINT_DARK, HINT_NO_PAGE, HINT_OK, Photo

# A page is "too dark" under this mean grey level; "blurred" under this Laplacian variance
# (measured on generated pages: a sharp page of text scores several hundred, a 9-px blur < 30).
DARK_LEVEL = 60
BLUR_VARIANCE = 60.0
MIN_PAGE_FRACTION = 0.12  # the page must fill at least this much of the frame
MIN_PAGE_CONTRAST = 25  # grey levels between the page and what is around it


def photo_quality(frame) -> str:
    """A quality hint key for a captured BGR (or grey) frame: too dark, no page, blurred, ok."""
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if float(gray.mean()) < DARK_LEVEL:
        return HINT_DARK
    if float(gray.std()) < 8:  # one even surface: an empty desk, a covered lens
        return HINT_NO_PAGE
    small = cv2.resize(gray, (640, max(1, int(gray.shape[0] * 640 / gray.shape[1]))), interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return HINT_NO_PAGE
    page = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(page)
    if area < MIN_PAGE_FRACTION * small.shape[0] * small.shape[1]:
        return HINT_NO_PAGE
    inside = np.zeros_like(small)
    cv2.drawContours(inside, [page], -1, 255, thickness=-1)
    page_level = float(small[inside > 0].mean())
    around = small[inside == 0]
    if around.size and page_level - float(around.mean()) < MIN_PAGE_CONTRAST:
        return HINT_NO_PAGE
    x, y, w, h = cv2.boundingRect(page)
    region = small[y:y + h, x:x + w]
    if float(cv2.Laplacian(region, cv2.CV_64F).var()) < BLUR_VARIANCE:
        return HINT_BLURRED
    return HINT_OK


def encode_jpeg(frame, quality: int = 85, max_side: int = 1600) -> bytearray:
    """The frame as JPEG bytes in a bytearray (the encoder's own buffer is zeroed)."""
    h, w = frame.shape[:2]
    scale = min(1.0, max_side / float(max(h, w)))
    if scale < 1.0:
        frame = cv2.resize(frame, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("the photo could not be encoded")
    data = bytearray(buf)
    buf.fill(0)
    return data


def capture(frame) -> Photo:
    """A camera frame → a Photo (quality hint first, then the JPEG)."""
    hint = photo_quality(frame)
    data = encode_jpeg(frame)
    h, w = frame.shape[:2]
    return Photo(data, hashlib.sha256(data).hexdigest(), hint, w, h)
