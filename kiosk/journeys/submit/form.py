"""The procedure's form: its JSON-schema fields as fields a screen can show, the typed text
as JSON values validated with the gateway's rules (one message key per field), and what the
chip tells us for those fields (nationality, ethnicity, an address when the residence on the
card is cleanly province + ward/commune + street)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.gateway.formschema import validate
from kiosk.i18n import text as catalog_text
from kiosk.text import fold, nfc


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # an EntryField kind: text | name | digits | date | choice
    title_vi: str
    title_en: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); booleans: ("yes", …), ("no", …)
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    json_type: str = "string"
    default: str = ""
    choices_en: tuple[str, ...] = ()  # the choices' labels in English, in the same order
    past_only: bool = False  # a date that has happened (a birth, a death): never in the future

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" else self.title_vi) or self.title_vi or self.name

    def labelled_choices(self, lang: str) -> list[tuple[str, str]]:
        """(value, label) in the citizen's language: the value stays what the gateway expects."""
        if lang == "en" and len(self.choices_en) == len(self.choices):
            return [(v, en) for (v, _), en in zip(self.choices, self.choices_en, strict=True)]
        return list(self.choices)


# the English of the catalog's choices (the gateway's values are Vietnamese words); a schema's
# own "x-enum-en" comes first
CHOICES_EN = {
    "Nam": "Male", "Nữ": "Female", "cha": "father", "mẹ": "mother", "ông": "grandfather", "bà": "grandmother",
    "người thân khác": "another relative", "kết hôn": "marriage", "mục đích khác": "another purpose",
    "chưa kết hôn": "never married", "đã ly hôn": "divorced", "vợ/chồng đã chết": "widowed",
    "đang có vợ/chồng": "married", "nhà của mình": "my own home", "nhà thuê, mượn, ở nhờ": "rented or borrowed",
    "nhà người thân": "a relative's home", "số 1": "no. 1", "số 2": "no. 2", "khai sinh": "birth",
    "khai tử": "death", "khác": "other", "hết hạn": "expired", "hư hỏng": "damaged",
    "thay đổi thông tin": "details changed", "đổi sang mẫu mới": "new format", "ngành nghề": "trade",
    "địa chỉ": "address", "vốn": "capital", "chủ hộ": "owner", "tên": "name", "mất sổ": "book lost",
    "hỏng sổ": "book damaged", "thay đổi": "change", "cải chính": "correction", "bổ sung": "addition",
}

# dates of events that have happened: a birth, a death, an issue date
PAST_DATES = re.compile(r"(birth|death|_issued|issue_date|date_of_)")


# a person's name: each word capitalised as it is typed (places and streets are typed as written)
NAME_FIELDS = re.compile(r"(full_name|_name)$")


def form_fields(procedure, yes_no: tuple[str, str] = ("Có", "Không")) -> list[FormField]:
    """The procedure's form schema as fields, in the schema's order."""
    schema = getattr(procedure, "form", None) or {}
    required = set(schema.get("required", []))
    out: list[FormField] = []
    for name, spec in (schema.get("properties") or {}).items():
        kind, choices, json_type, choices_en = "text", (), spec.get("type", "string"), ()
        if json_type == "boolean":
            kind, choices = "choice", (("yes", yes_no[0]), ("no", yes_no[1]))
        elif json_type == "integer":
            kind = "digits"
        elif "enum" in spec:
            kind, choices = "choice", tuple((str(v), str(v)) for v in spec["enum"])
            # a code such as a licence class ("B1") reads the same in English
            english = spec.get("x-enum-en") or [CHOICES_EN.get(str(v)) or (str(v) if str(v).isascii() else "")
                                                for v in spec["enum"]]
            choices_en = tuple(english) if all(english) else ()
        elif spec.get("format") == "date":
            kind = "date"
        elif NAME_FIELDS.search(name):
            kind = "name"
        default = spec.get("default", "")
        out.append(FormField(
            name=name, kind=kind, title_vi=spec.get("title", name), title_en=spec.get("x-title-en", ""),
            required=name in required, choices=choices, max_length=spec.get("maxLength"),
            minimum=spec.get("minimum"), maximum=spec.get("maximum"), json_type=json_type,
            default=str(default) if default not in (None, "") and not isinstance(default, bool) else "",
            choices_en=choices_en, past_only=kind == "date" and bool(PAST_DATES.search(name)),
        ))
    return out


def coerce(fields: Sequence[FormField], values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Typed text → the JSON the gateway expects (empty optional fields left out), and the
    problems found on the way (a number that is not one)."""
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for f in fields:
        raw = nfc(str(values.get(f.name, "") or "")).strip()
        if not raw:
            continue
        if f.json_type == "integer":
            if not raw.isdigit() or len(raw) > 15:
                problems.append((f.name, "form.expected_number"))
                continue
            data[f.name] = int(raw)
        elif f.json_type == "boolean":
            data[f.name] = raw == "yes"
        else:
            data[f.name] = raw
    return data, problems


def date_problem(f: FormField, value: str, identity=None, today: date | None = None) -> str | None:
    """What is wrong with a date the procedure asks for: a birth or a death in the future; a
    child's birth before the applicant's own (who registers a child is older than it)."""
    try:
        d = date.fromisoformat(value)
    except ValueError:
        return "form.bad_date"
    today = today or date.today()
    if f.past_only and d > today:
        return "form.date_in_future"
    born = getattr(identity, "date_of_birth", None)
    if f.name.startswith("child_") and isinstance(born, date) and d <= born:
        return "form.date_before_applicant"
    return None


def problems(procedure, fields: Sequence[FormField], values: dict[str, str], identity=None,
             today: date | None = None) -> list[tuple[str, str]]:
    """Every problem with the values, at most one message key per field (the gateway's own
    validation rules, so what passes here passes there, and the dates' common sense)."""
    data, found = coerce(fields, values)
    for f in fields:
        raw = nfc(str(values.get(f.name, "") or "")).strip()
        if f.kind == "date" and raw:
            problem = date_problem(f, raw, identity, today)
            if problem:
                found.append((f.name, problem))
    found += validate(getattr(procedure, "form", None) or {}, data)
    seen: set[str] = set()
    out = []
    for name, key in found:
        if name not in seen:
            seen.add(name)
            specific = f"{key}.{name}"  # a missing field names itself when the catalog has its message
            out.append((name, specific if key == "form.required" and catalog_text(specific, "vi") else key))
    return out


WARD_PREFIXES = ("phuong ", "xa ", "dac khu ")
PROVINCE_PREFIXES = ("thanh pho ", "tinh ", "tp. ", "tp ")


def _province_key(name: str) -> str:
    folded = fold(name)
    for prefix in PROVINCE_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded


def parse_residence(text: str, provinces: Sequence = ()) -> tuple[str, str, str] | None:
    """``street, ward/commune, province`` → (province name as the gateway lists it, ward,
    street), or None when the residence is not cleanly in that two-level shape (a district
    named, parts missing, a province the gateway does not list).  Addresses printed before
    July 2025 usually name a district: they are left for the citizen to type."""
    parts = [p.strip() for p in nfc(text or "").split(",") if p.strip()]
    if len(parts) != 3:
        return None
    street, ward, province = parts
    if not fold(ward).startswith(WARD_PREFIXES):
        return None
    wanted = _province_key(province)
    for p in provinces:
        if _province_key(p.name) == wanted:
            return p.name, ward, street
    return None


def prefill(fields: Sequence[FormField], identity, provinces: Sequence = ()) -> dict[str, str]:
    """Values the chip gives for the form's fields (the citizen can still change them)."""
    out: dict[str, str] = {}
    names = {f.name for f in fields}
    for f in fields:
        if f.default:
            out[f.name] = f.default
    if identity is None:
        return out
    for name in ("nationality", "ethnicity"):
        value = getattr(identity, name, "") or ""
        if name in names and value:
            out[name] = value
    # the citizen's own current address: "address_*" fields (a new address to register,
    # "new_address_*", is by definition another one)
    parsed = parse_residence(getattr(identity, "residence", ""), provinces)
    if parsed and {"address_province", "address_ward", "address_street"} <= names:
        out["address_province"], out["address_ward"], out["address_street"] = parsed
    return out
