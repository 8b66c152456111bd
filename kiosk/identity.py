"""The citizen's identity as read from the chip ID card: in memory for one session only.

``Identity`` holds what DG1/DG2/DG13 said, the passive-authentication result and how the chip
was opened.  ``wipe()`` clears every field and overwrites the face bytes; the session calls it
when it ends.  ``repr()`` never shows personal data, so an Identity that slips into a log line
or a traceback leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any


@dataclass(repr=False)
class FaceImage:
    """A decoded face picture the UI can show: raw RGB rows (top first) and the same as PNG."""

    width: int = 0
    height: int = 0
    rgb: bytearray = field(default_factory=bytearray)
    png: bytearray = field(default_factory=bytearray)

    def wipe(self) -> None:
        for buf in (self.rgb, self.png):
            buf[:] = b"\x00" * len(buf)
            del buf[:]
        self.width = self.height = 0

    def __repr__(self) -> str:
        return f"FaceImage({self.width}x{self.height})" if self.width else "FaceImage(<empty>)"


@dataclass(repr=False, eq=False)
class Identity:
    id_number: str = ""
    full_name: str = ""  # NFC, as printed on the card
    date_of_birth: date | None = None
    date_of_birth_text: str = ""  # as printed (dd/mm/yyyy), in case only a year is known
    sex: str = ""  # "Nam" / "Nữ"
    nationality: str = ""
    ethnicity: str = ""
    religion: str = ""
    hometown: str = ""  # quê quán, as printed (may name a district)
    residence: str = ""  # nơi thường trú, as printed (may name a district: never "corrected")
    identifying_marks: str = ""
    issue_date: date | None = None
    expiry_date: date | None = None  # None with expiry_text "Không thời hạn": no expiry
    expiry_text: str = ""
    father: str = ""
    mother: str = ""
    spouse: str = ""
    old_id_number: str = ""  # the 9-digit CMND, when the card lists one
    document_number: str = ""  # the MRZ document number (last 9 digits of the ID)
    mrz_name: str = ""  # the name without diacritics, from the MRZ
    face_image: bytearray = field(default_factory=bytearray)  # JPEG / JPEG 2000 from DG2
    face_format: str = ""  # "jpeg" / "jpeg2000"
    face: FaceImage = field(default_factory=FaceImage)  # decoded
    passive_auth: Any = None  # cardreader.sod.PassiveAuthResult
    access_method: str = ""  # "pace" / "bac"
    chip_authenticated: bool = False  # chip authentication passed: the chip is not a copy
    chip_auth: str = "not-performed"  # passed / not-supported (no DG14: a copy cannot be told) / not-performed
    unknown_fields: dict[int, bytes] = field(default_factory=dict)  # DG13 fields we do not know, raw
    wiped: bool = False

    @property
    def authentic(self) -> bool:
        return getattr(self.passive_auth, "status", None) == "authentic"

    @property
    def pa_status(self) -> str:
        return getattr(self.passive_auth, "status", "") or ""

    @property
    def authenticity(self) -> str:
        """One word for staff and technicians: ``authentic`` (the issuer signed it and the chip
        proved it holds its key), ``authentic-no-chip-auth`` (signed, but chip authentication
        was not supported or not performed: a copied chip would read the same),
        ``integrity-only`` (no trust store: anyone could have signed it), ``failed``, or ""."""
        status = self.pa_status
        if status == "authentic" and not self.chip_authenticated:
            return "authentic-no-chip-auth"
        return status

    @property
    def chip_auth_note(self) -> str:
        """What staff are told about chip authentication (English, technical; no personal data)."""
        return {"passed": "chip authentication passed",
                "not-supported": "chip authentication not supported by this chip (no DG14): a copy cannot be told",
                "not-performed": "chip authentication not performed: a copy cannot be told",
                }.get(self.chip_auth, "chip authentication not performed")

    def wipe(self) -> None:
        """Forget everything: overwrite the face bytes, clear every field."""
        self.face_image[:] = b"\x00" * len(self.face_image)
        del self.face_image[:]
        self.face.wipe()
        for raw in self.unknown_fields.values():
            if isinstance(raw, bytearray):
                raw[:] = b"\x00" * len(raw)
        self.unknown_fields.clear()
        for f in fields(self):
            if f.name in ("face_image", "face", "unknown_fields", "wiped"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, str):
                setattr(self, f.name, "")
            else:
                setattr(self, f.name, None)
        self.wiped = True

    def as_dict(self, include_face: bool = False) -> dict:
        """Plain values for the core / a technician's JSON output (never for logs)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("face_image", "face", "passive_auth", "unknown_fields", "wiped"):
                continue
            v = getattr(self, f.name)
            out[f.name] = v.isoformat() if isinstance(v, date) else v
        out["face"] = {"format": self.face_format, "bytes": len(self.face_image),
                       "width": self.face.width, "height": self.face.height}
        if include_face:
            out["face"]["data_hex"] = bytes(self.face_image).hex()
        out["unknown_fields"] = {str(k): bytes(v).hex() for k, v in self.unknown_fields.items()}
        out["passive_auth"] = self.passive_auth.as_dict() if self.passive_auth is not None else None
        out["chip_authentication"] = self.chip_auth
        out["chip_authentication_note"] = self.chip_auth_note
        out["authenticity"] = self.authenticity
        return out

    def __repr__(self) -> str:
        if self.wiped:
            return "Identity(<wiped>)"
        return (f"Identity(<personal data hidden>, access={self.access_method or '?'}, pa={self.pa_status or '?'}, "
                f"ca={self.chip_auth})")

    __str__ = __repr__
