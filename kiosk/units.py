"""Vietnam's administrative units since 1 July 2025: 34 provinces, each with its wards, communes
and special zones (3,321 in all), and an address printed on a chip ID card before then (street,
ward, district, province) converted to the two levels in force.

Two registry packages made for this: ``vietnam-provinces`` lists the units with their codes;
``vietnamadminunits`` parses an old three-level address and maps its ward to the new one.  The
conversion here uses only their offline tables: where an old ward was split between several
new ones, the package would locate the street with an online geocoder (sending the citizen's
address out); here the new wards are offered for the citizen to choose instead.

    units.wards("Thành phố Hà Nội")        # ["Phường Ba Đình", …], the province's, sorted
    units.search(names, "ba dinh")           # the names that contain the words, accents or not
    units.from_residence(identity.residence)  # Residence(province, ward, street, choices) or None
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from kiosk.text import fold, nfc

log = logging.getLogger("kiosk.units")

PROVINCE_PREFIXES = ("thanh pho ", "tinh ", "tp. ", "tp ")
WARD_PREFIXES = ("phuong ", "xa ", "dac khu ")


def province_key(name: str) -> str:
    """A province's name without its kind, folded: "Thành phố Hà Nội", "TP. Hà Nội", "Hà Nội"
    → "ha noi"."""
    folded = " ".join(fold(nfc(name or "")).replace(".", ". ").split())
    for prefix in PROVINCE_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):].strip()
    return folded


def sort_key(name: str) -> str:
    """Alphabetical by the proper name ("Thành phố Hà Nội" under H, "Phường Ba Đình" under B)."""
    folded = fold(name)
    for prefix in PROVINCE_PREFIXES + WARD_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


@lru_cache(maxsize=1)
def _divisions() -> dict[str, tuple[str, tuple[str, ...]]]:
    """province key → (the package's province name, its ward names)."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    data = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    return {province_key(p["name"]): (p["name"], tuple(sorted((nfc(w["name"]) for w in p["wards"]), key=sort_key)))
            for p in data}


def province_names() -> list[str]:
    """The 34 provinces, as the package names them."""
    return [name for name, _ in _divisions().values()]


def wards(province: str) -> list[str]:
    """The wards, communes and special zones of ``province`` (any spelling of its name),
    alphabetical; none for a name that is no province."""
    found = _divisions().get(province_key(province))
    return list(found[1]) if found else []


def search(names: list[str], query: str) -> list[str]:
    """The names containing every typed word, with or without accents, those starting with
    the words first ("ba dinh" → "Phường Ba Đình" before "Xã Ba Đình Mới")."""
    words = fold(nfc(query or "")).split()
    if not words:
        return list(names)
    hits = [n for n in names if all(w in fold(n) for w in words)]
    start = " ".join(words)
    return sorted(hits, key=lambda n: (not sort_key(n).startswith(start), sort_key(n)))


@dataclass(frozen=True)
class Residence:
    """An address in the two levels in force: the province as ``provinces`` (the gateway's
    list) names it, the ward (empty when the citizen has to choose among ``choices``), the
    street; ``converted`` when the card printed it with a district."""

    province: str
    ward: str
    street: str
    converted: bool = False
    choices: tuple[str, ...] = field(default=())


def _match_province(name: str, provinces: list[str] | tuple[str, ...]) -> str | None:
    key = province_key(name)
    for p in provinces or province_names():
        if province_key(p) == key:
            return p
    return None


def _ward_in(province: str, ward: str) -> str | None:
    wanted = fold(nfc(ward))
    for w in wards(province):
        if fold(w) == wanted:
            return w
    return None


def from_residence(text: str, provinces: list[str] | tuple[str, ...] = ()) -> Residence | None:
    """The residence on the card in today's two levels, or None when it cannot be read with
    confidence.  ``provinces``: the names the gateway accepts (the result uses its spelling)."""
    parts = [p.strip() for p in nfc(text or "").split(",") if p.strip()]
    if len(parts) == 3 and fold(parts[1]).startswith(WARD_PREFIXES):  # already street, ward, province
        province = _match_province(parts[2], provinces)
        ward = _ward_in(province, parts[1]) if province else None
        if province and ward:
            return Residence(province, ward, parts[0])
    if len(parts) < 3:
        return None
    try:
        return _convert(parts, provinces)
    except Exception as exc:  # noqa: BLE001 - a package's parser that fails: the citizen chooses
        log.info("the residence could not be converted", extra={"kind": type(exc).__name__})
        return None


def _convert(parts: list[str], provinces) -> Residence | None:
    from vietnamadminunits import ParseMode, parse_address
    from vietnamadminunits.converter import converter_2025 as tables

    old = parse_address(", ".join(parts), mode=ParseMode.LEGACY, keep_street=True, level=3)
    if not old.province_key or not old.ward_key:
        return None
    new_province = next((k for k, v in tables.DICT_PROVINCE.items() if old.province_key in v), None)
    if new_province is None:
        return None
    key = f"{old.province_key}_{old.district_key}_{old.ward_key}"
    whole = next((k for k, v in tables.DICT_PROVINCE_WARD_NO_DIVIDED.get(new_province, {}).items() if key in v), None)
    split = tables.DICT_PROVINCE_WARD_DIVIDED.get(new_province, {}).get(key, [])
    ward_keys = [whole] if whole else [w["newWardKey"] for w in split]
    if not ward_keys:
        return None
    names = []
    for ward_key in ward_keys:
        new = parse_address(f"{ward_key},{new_province}", mode=ParseMode.FROM_2025, level=2)
        names.append((new.province, new.ward))
    province = _match_province(names[0][0], provinces)
    if province is None:
        return None
    found = [w for w in (_ward_in(province, ward) for _, ward in names) if w]
    if not found:
        return None
    street = parts[0] if len(parts) >= 4 else ""
    if len(found) == 1:
        return Residence(province, found[0], street, converted=True)
    return Residence(province, "", street, converted=True, choices=tuple(found))
