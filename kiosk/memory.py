"""Giving memory back once a citizen has gone.

A session leaves garbage (its screens' texts, the card's data, the software renderer's frame
buffers) that Python frees into the C heap.  glibc keeps freed pages in the process unless the
top of the heap is free, so over hundreds of sessions the resident size of a kiosk drifted up
by tens of megabytes that nothing used (``kiosk bench journeys``, memory part).  After a
session, on the attract screen, the kiosk collects the garbage and asks glibc to hand free
pages back (``malloc_trim``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, another OS): nothing to trim
        return None


_TRIM = _malloc_trim()


def can_trim() -> bool:
    return _TRIM is not None


def release_after_session() -> None:
    """Collect every generation of garbage, then return free heap pages to the system."""
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)
