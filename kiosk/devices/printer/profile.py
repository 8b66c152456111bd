"""Printer profiles from python-escpos's capabilities database, sized for the paper.

The database (escpos/capabilities.json, shipped with python-escpos 3.1) is read as JSON
directly: importing ``escpos.capabilities`` writes a pickle into a new temporary folder on
every start, which a kiosk should not do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

PAPER_DOTS = {58: 384, 80: 576}  # printable dots at 203 dpi on common mechanisms
VIETNAMESE_ENCODINGS = ("CP1258", "TCVN-3-1", "TCVN-3-2")


class UnknownProfile(ValueError):
    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = known
        super().__init__(f"unknown printer profile {name!r}; known: {', '.join(known)}")


@lru_cache(maxsize=1)
def capabilities() -> dict:
    with resources.files("escpos").joinpath("capabilities.json").open("rb") as fh:
        return json.load(fh)


def profile_names() -> list[str]:
    return sorted(capabilities()["profiles"])


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    paper_mm: int
    dot_width: int
    qr_native: bool
    image_command: str  # "raster" (GS v 0) | "graphics" (GS ( L) | "column" (ESC *)
    code_pages: dict = field(default_factory=dict)  # slot -> encoding name
    columns_a: int = 42

    @property
    def vietnamese_pages(self) -> dict[str, int]:
        """Vietnamese encodings this profile carries: name -> ESC t slot (first slot wins)."""
        found: dict[str, int] = {}
        for slot, enc in sorted(self.code_pages.items()):
            if enc in VIETNAMESE_ENCODINGS and enc not in found:
                found[enc] = slot
        return found

    @property
    def codepage_text(self) -> str | None:
        """The Vietnamese text code page usable for text mode: "CP1258", "TCVN-3" or None."""
        pages = self.vietnamese_pages
        if "CP1258" in pages:
            return "CP1258"
        if "TCVN-3-1" in pages and "TCVN-3-2" in pages:
            return "TCVN-3"
        return None

    @property
    def dpi(self) -> int:
        """Dots per inch: 512-dot Epson TM-T88 heads are 180 dpi, the rest 203 dpi."""
        return 180 if self.dot_width == 512 else 203

    @property
    def motion_unit_y(self) -> int:
        """Default GS P vertical motion unit (1/n inch) used by ESC J and ESC 3."""
        return 360 if self.dpi == 180 else 203

    def encoding_at(self, slot: int) -> str | None:
        return self.code_pages.get(slot)


def load_profile(name: str, paper_mm: int | str = 80) -> PrinterProfile:
    caps = capabilities()["profiles"]
    if name not in caps:
        raise UnknownProfile(name, sorted(caps))
    data = caps[name]
    paper_mm = int(paper_mm)
    paper_dots = PAPER_DOTS.get(paper_mm, 576)
    px = data.get("media", {}).get("width", {}).get("pixels")
    dot_width = min(paper_dots, px) if isinstance(px, int) and px > 0 else paper_dots
    dot_width -= dot_width % 8
    feats = data.get("features", {})
    if feats.get("bitImageRaster", True):
        image_command = "raster"
    elif feats.get("graphics"):
        image_command = "graphics"
    else:
        image_command = "column"
    pages = {int(k): v for k, v in data.get("codePages", {}).items()}
    try:
        cols = int(data.get("fonts", {}).get("0", {}).get("columns", dot_width // 12))
    except (TypeError, ValueError):
        cols = dot_width // 12
    cols = min(cols, dot_width // 12)
    return PrinterProfile(name, paper_mm, dot_width, bool(feats.get("qrCode")), image_command, pages, cols)
