"""A sample citizen (JSON) turned into the files of a chip ID card."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import ber, dg1, dg2, dg13
from ..pace import CA_PREFIX, ID_PACE_ECDH_GM_AES_128, PK_PREFIX
from .pki import TestPki, build_sod, default_pki

ASSETS = Path(__file__).resolve().parents[4] / "assets" / "cards"
AID = bytes.fromhex("A0000002471001")

FID_CARD_ACCESS = 0x011C
FID_COM = 0x011E
FID_SOD = 0x011D
DG_FIDS = {n: 0x0100 + n for n in range(1, 17)}
CA_KEY_SEED = 0x1234567  # the chip's static chip-authentication key (test data)
DG_TAGS = {1: 0x61, 2: 0x75, 3: 0x63, 13: 0x6D, 14: 0x6E, 15: 0x6F}


def sample_person_path() -> Path:
    return ASSETS / "sample-person.json"


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


@dataclass
class Person:
    id_number: str
    full_name: str
    date_of_birth: date
    sex: str
    nationality: str = "Việt Nam"
    ethnicity: str = "Kinh"
    religion: str = "Không"
    hometown: str = ""
    residence: str = ""
    identifying_marks: str = ""
    issue_date: date | None = None
    expiry_date: date | None = None  # None: "Không thời hạn"
    father: str = ""
    mother: str = ""
    spouse: str = ""
    old_id: str = ""
    face_file: Path | None = None
    extra_fields: dict[int, str] = field(default_factory=dict)

    @property
    def doc_number(self) -> str:
        return self.id_number[-9:]

    @property
    def can(self) -> str:
        return self.id_number[-6:]

    def mrz(self) -> str:
        folded = ascii_fold(self.full_name).split()
        surname, given = (folded[0], " ".join(folded[1:])) if folded else ("", "")
        sex = {"nam": "M", "nữ": "F"}.get(unicodedata.normalize("NFC", self.sex).strip().lower(), "<")
        return dg1.build_mrz(self.doc_number, self.id_number, self.date_of_birth, sex, self.expiry_date, surname, given)

    def dg13_values(self) -> dict[int, object]:
        fmt = lambda d: d.strftime("%d/%m/%Y") if d else ""  # noqa: E731
        values: dict[int, object] = {
            1: self.id_number, 2: self.full_name, 3: fmt(self.date_of_birth), 4: self.sex,
            5: self.nationality, 6: self.ethnicity, 7: self.religion, 8: self.hometown, 9: self.residence,
            10: self.identifying_marks, 11: fmt(self.issue_date),
            12: fmt(self.expiry_date) if self.expiry_date else "Không thời hạn",
            13: (self.father, self.mother), 14: self.spouse, 15: self.old_id,
        }
        values.update(self.extra_fields)
        return values

    def face_bytes(self) -> tuple[bytes, int, int, bool]:
        import io

        from PIL import Image

        if self.face_file and self.face_file.exists():
            raw = self.face_file.read_bytes()
        else:
            from .faces import draw_face, encode

            raw = encode(draw_face(int(self.id_number[-2:]) % 3))
        with Image.open(io.BytesIO(raw)) as im:
            w, h, fmt = im.width, im.height, im.format
        return raw, w, h, fmt == "JPEG2000"


def _date(v) -> date | None:
    if v in (None, "", "none"):
        return None
    return date.fromisoformat(v)


def load_person(path: str | Path | None = None) -> Person:
    p = Path(path) if path else sample_person_path()
    data = json.loads(p.read_text(encoding="utf-8"))
    face = data.get("face")
    return Person(
        id_number=data["id_number"],
        full_name=unicodedata.normalize("NFC", data["full_name"]),
        date_of_birth=date.fromisoformat(data["date_of_birth"]),
        sex=data.get("sex", "Nam"),
        nationality=data.get("nationality", "Việt Nam"),
        ethnicity=data.get("ethnicity", "Kinh"),
        religion=data.get("religion", "Không"),
        hometown=data.get("hometown", ""),
        residence=data.get("residence", ""),
        identifying_marks=data.get("identifying_marks", ""),
        issue_date=_date(data.get("issue_date")),
        expiry_date=_date(data.get("expiry_date")),
        father=data.get("father", ""),
        mother=data.get("mother", ""),
        spouse=data.get("spouse", ""),
        old_id=data.get("old_id", ""),
        face_file=(p.parent / face) if face else None,
        extra_fields={int(k): v for k, v in data.get("extra_dg13_fields", {}).items()},
    )


def _spki_ec(seed: int) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(seed, ec.BrainpoolP256R1())
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def card_access() -> bytes:
    pace_info = ber.seq(ber.oid(ID_PACE_ECDH_GM_AES_128), ber.integer(2), ber.integer(13))
    ca_info = ber.seq(ber.oid(CA_PREFIX + ".2.2"), ber.integer(1))
    return ber.set_of(pace_info, ca_info)


def build_files(person: Person, pki: TestPki | None = None, without: tuple[int, ...] = ()) -> dict[int, bytes]:
    """Every EF of the card by file id. DG3 exists but is protected by terminal authentication.
    ``without``: data groups this chip does not have (e.g. 14: no chip authentication), left out
    of EF.COM and of the signed SOD as an issuer would."""
    pki = pki or default_pki()
    face, w, h, jp2 = person.face_bytes()
    groups = {
        1: ber.tlv(0x61, ber.tlv(0x5F1F, person.mrz().encode("ascii"))),
        2: dg2.build_dg2(face, w, h, jp2),
        3: ber.tlv(0x63, ber.tlv(0x02, b"\x00")),
        13: dg13.build_dg13(person.dg13_values()),
        14: ber.tlv(0x6E, ber.set_of(
            ber.seq(ber.oid(CA_PREFIX + ".2.2"), ber.integer(1)),
            ber.seq(ber.oid(PK_PREFIX + ".2"), ber.parse(_spki_ec(CA_KEY_SEED)).raw),
        )),
        15: ber.tlv(0x6F, _spki_ec(0x7654321)),
    }
    for n in without:
        groups.pop(n, None)
    com = ber.tlv(0x60, ber.tlv(0x5F01, b"0107") + ber.tlv(0x5F36, b"040000")
                  + ber.tlv(0x5C, bytes(DG_TAGS[n] for n in sorted(groups))))
    files = {FID_CARD_ACCESS: card_access(), FID_COM: com, FID_SOD: build_sod(groups, pki)}
    for n, content in groups.items():
        files[DG_FIDS[n]] = content
    return files
