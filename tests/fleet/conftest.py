from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT


@pytest.fixture
def ini(tmp_path):
    """A copy of the demo kiosk.ini whose data folder is private to the test."""
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^data_dir = .*$", f"data_dir = {tmp_path / 'data'}", text)
    path = tmp_path / "kiosk.ini"
    path.write_text(text, encoding="utf-8")
    return path
