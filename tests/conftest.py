"""Shared fixtures.  Kivy must be configured before its first import: KIVY_NO_ARGS etc. are
set here, before any test module imports the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def settings(tmp_path):
    from kiosk import config

    return config.load(ROOT / "kiosk.ini").replace(kiosk={"data_dir": str(tmp_path / "data")})


def kiosk_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", *args]
