"""Shared checks: find a freshly rendered text line in the decoded paper picture."""

from __future__ import annotations

import re

import numpy as np

from kiosk.devices.printer import raster


def find_bitmap(ink: np.ndarray, tmpl: np.ndarray) -> bool:
    """True if ``tmpl`` (bool) occurs pixel-exactly somewhere in ``ink`` (bool)."""
    import cv2

    if tmpl.size == 0:
        return True
    if tmpl.shape[0] > ink.shape[0] or tmpl.shape[1] > ink.shape[1]:
        return False
    res = cv2.matchTemplate(ink.astype(np.float32), tmpl.astype(np.float32), cv2.TM_SQDIFF)
    return float(res.min()) < 0.5


def line_on_paper(ink: np.ndarray, text: str, style: str) -> bool:
    return find_bitmap(ink, raster.text_bitmap(text, style))


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
