"""After a session the kiosk hands freed heap pages back to the system (kiosk/memory.py)."""

from pathlib import Path

import pytest

from kiosk.memory import can_trim, release_after_session


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not can_trim(), reason="not glibc: nothing to trim")
def test_freed_heap_pages_go_back_to_the_system():
    # 160 MB in 64 KB blocks (below glibc's mmap threshold: they come from the heap), written so
    # they are resident; then all but the last are freed.  The last pins the top of the heap,
    # so glibc keeps the freed pages: a session's garbage, as the kiosk saw it.
    blocks = [bytearray(b"x" * (64 * 1024)) for _ in range(2560)]
    pin = blocks[-1]
    del blocks
    before = rss_mb()
    release_after_session()
    after = rss_mb()
    assert before - after > 100, (before, after)
    assert pin[0] == ord("x")
