"""Shared fixtures for the QR tests: the corpus (read in place, never copied) and image helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / ".." / "shared" / "qr-corpus"
VECTORS = REPO / ".." / "shared" / "vietqr-vectors.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"QR corpus not found at {CORPUS.resolve()} (see ../shared/qr-corpus/README.md)")
    return CORPUS.resolve()


@pytest.fixture(scope="session")
def vietqr_vectors() -> list[str]:
    if not VECTORS.is_file():
        pytest.skip(f"VietQR vectors not found at {VECTORS.resolve()}")
    lines = VECTORS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]
