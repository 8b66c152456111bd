"""Receipt layouts: what a receipt says, independent of any printer.

A ``Receipt`` is a list of elements (title, text, rows, rules, QR codes, a cut).  The printer
driver turns it into ESC/POS bytes for the configured profile and paper width; the same
layout is previewed on screen by decoding those bytes back (``render_preview``), so what the
citizen sees on screen is what the paper shows.

Plain Python: no printer, PIL or Kivy import here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from kiosk.text import nfc as _nfc

STYLES = ("small", "body", "bold", "large", "title")
ALIGNS = ("left", "center", "right")


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the paper width.  ``indent`` is in dots."""

    text: str
    style: str = "body"
    align: str = "left"
    indent: int = 0

    def __post_init__(self):
        object.__setattr__(self, "text", _nfc(self.text))
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}")
        if self.align not in ALIGNS:
            raise ValueError(f"unknown alignment {self.align!r}")


@dataclass(frozen=True)
class Row:
    """``label`` on the left, ``value`` in a column after it (or on the next lines)."""

    label: str
    value: str
    style: str = "body"  # style of the value; the label is always body

    def __post_init__(self):
        object.__setattr__(self, "label", _nfc(self.label))
        object.__setattr__(self, "value", _nfc(self.value))
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}")


@dataclass(frozen=True)
class Rule:
    """A thin separating line."""


@dataclass(frozen=True)
class Space:
    """Blank paper, in dots (8 dots = 1 mm at 203 dpi)."""

    dots: int = 12


@dataclass(frozen=True)
class QR:
    """A QR code.  ``module`` is the module size in dots (None: the renderer chooses)."""

    payload: str
    module: int | None = None

    def __post_init__(self):
        if not self.payload or len(self.payload) > 600:
            raise ValueError("QR payload must be 1..600 characters")


@dataclass(frozen=True)
class Cut:
    """Feed past the cutter and cut."""


Element = Text | Row | Rule | Space | QR | Cut


@dataclass(frozen=True)
class Receipt:
    """One receipt ready to print.

    ``kind`` is one of KINDS; ``reference`` is a non-personal handle shown to staff in the
    reprint list (a dossier code, a ticket number); ``elements`` is the layout.
    """

    kind: str
    lang: str
    elements: tuple = field(default_factory=tuple)
    reference: str = ""

    def __iter__(self) -> Iterator[Element]:
        return iter(self.elements)

    def texts(self) -> list[str]:
        """Every human-readable string, in order (for tests and speech output)."""
        out: list[str] = []
        for el in self.elements:
            if isinstance(el, Text):
                out.append(el.text)
            elif isinstance(el, Row):
                out += [el.label, el.value]
        return out

    def qr_payloads(self) -> list[str]:
        return [el.payload for el in self.elements if isinstance(el, QR)]


KINDS = ("dossier-receipt", "payment-receipt", "status-slip", "ticket", "delivery-slip", "self-test")
