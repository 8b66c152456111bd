"""The glossary (docs/glossary.md): one name per thing, the national portal's words, one
tone-placement style across the interface and the data (issue 14 item 7).

Each rule below is the glossary's; change both together."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from kiosk.devices.printer.layout import KINDS
from kiosk.i18n import read_catalog, text

ROOT = Path(__file__).resolve().parents[2]

# thing → the names the catalogs must not use for it (each was in the catalog before the glossary)
BANNED_VI = {
    "Giấy tiếp nhận hồ sơ và hẹn trả kết quả": [r"biên nhận", r"phiếu hẹn", r"giấy hẹn",
                                                 r"giấy tiếp nhận(?! hồ sơ)"],
    "Biên lai thu phí, lệ phí": [r"biên lai thanh toán", r"biên lai(?! thu phí, lệ phí)"],
    "ô đọc thẻ": [r"đầu đọc"],
    "khe in": [r"khe giấy", r"khe máy in"],
    "Thành phần hồ sơ": [r"giấy tờ cần có", r"giấy tờ cần nộp"],
    "Thời hạn giải quyết": [r"thời gian giải quyết", r"thời gian xử lý", r"thời gian: \{days\}"],
    "Xin lấy lại thẻ": [r"cầm (lại )?thẻ"],
    "chíp": [r"\bchip\b"],
}
BANNED_EN = {
    "dossier receipt": [r"appointment slip", r"(?<!dossier )(?<!fee )receipt(?! of an ended)(?! belongs)"],
    "fee receipt": [r"payment receipt"],
    "card reader": [r"(?<!card )(?<!\{)reader(?!\})"],
    "printer slot": [r"(?<!printer )slot"],
}
# where the English catalog may say "receipt" for any printed paper (printer messages, not the dossier receipt)
EN_GENERIC_RECEIPT = {"printer.session_ended", "printer.reprint_expired", "receipt.keep_receipt"}

# one tone-placement style: "hòa, thủy, khỏe, xóa" (the mark on the first vowel of an open oa/oe/uy),
# as the national portal, the 2025 unit names (Thanh Hóa, Khánh Hòa) and the kiosk's own telex default write
OTHER_STYLE = re.compile(r"(?<![qQ])(?:[oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?!\w)")
SAME_STYLE = re.compile(r"(?<![qQ])(?:[òóỏõọÒÓỎÕỌ][aAeE]|[ùúủũụÙÚỦŨỤ][yY])(?!\w)")


def messages(lang):
    return {m.id: m.string for m in read_catalog(lang) if m.id and m.string}


def other_style(s):
    return OTHER_STYLE.findall(unicodedata.normalize("NFC", s))


def test_the_style_rule_itself():
    assert other_style("Xoá hoà thuỷ khoẻ Huỷ") == ["oá", "oà", "uỷ", "oẻ", "uỷ"]
    assert other_style("Xóa hòa thủy khỏe Hủy hoàn toàn quý quá khuỷu thuở") == []
    assert SAME_STYLE.findall("Thanh Hóa, Ủy ban") == ["óa", "Ủy"]


@pytest.mark.parametrize("lang,banned", [("vi", BANNED_VI), ("en", BANNED_EN)])
def test_one_name_per_thing(lang, banned):
    wrong = []
    for key, value in messages(lang).items():
        for thing, patterns in banned.items():
            for pattern in patterns:
                if lang == "en" and thing == "dossier receipt" and key in EN_GENERIC_RECEIPT:
                    continue
                if re.search(pattern, value, re.IGNORECASE):
                    wrong.append(f"{key}: {value!r} (call it {thing!r}, not /{pattern}/)")
    assert not wrong, "\n".join(wrong)


def test_the_portals_words():
    vi, en = messages("vi"), messages("en")
    for key in ("dossier.status.received", "receipt.status.received", "submit.sent.received"):
        assert vi[key] == "Đã gửi hồ sơ – chờ tiếp nhận", key  # "Đã tiếp nhận" only once the agency accepts
        assert en[key] == "Sent – waiting for the agency to accept it", key
    assert vi["submit.details.documents"] == "Thành phần hồ sơ" == vi["help.reason.documents"]
    assert vi["submit.details.time"].startswith("Thời hạn giải quyết: ")
    assert vi["submit.receipt.title"] == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert vi["receipt.dossier.title"] == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    assert vi["stage.receipt"] == vi["staff.receipt.kind.payment-receipt"] == "Biên lai thu phí, lệ phí"
    assert vi["receipt.payment.title"] == "BIÊN LAI THU PHÍ, LỆ PHÍ" and en["receipt.payment.title"] == "FEE RECEIPT"
    assert vi["rating.question"].startswith("Đánh giá sự hài lòng")
    for key in ("done.card_left", "attract.card_left"):
        assert "Xin lấy lại thẻ" in vi[key] and "Please take your card back" in en[key]


def test_every_printed_kind_has_a_name_on_the_staff_list():
    """The staff reprint list showed the raw key staff.receipt.kind.delivery-slip."""
    for lang in ("vi", "en"):
        for kind in KINDS:
            if kind != "self-test":
                assert text(f"staff.receipt.kind.{kind}", lang), (lang, kind)


def required_fields():
    catalog = json.loads((ROOT / "assets/catalog/procedures.json").read_text(encoding="utf-8"))
    procedures = catalog["procedures"] if isinstance(catalog, dict) else catalog
    return sorted({name for p in procedures for name in (p.get("form") or {}).get("required", [])})


# the delivery address form's fields (kiosk/widgets/address.py LABELS)
ADDRESS_FIELDS = ("recipient", "phone", "province", "ward", "street")


def test_each_missing_field_has_its_own_message():
    fields = required_fields() + list(ADDRESS_FIELDS)
    assert "child_full_name" in fields
    for lang in ("vi", "en"):
        said = {name: text(f"form.required.{name}", lang) for name in fields}
        assert all(said.values()), [n for n, s in said.items() if not s]
        assert len(set(said.values())) >= len(fields) - 8  # the address fields of the forms and of delivery read alike


def test_the_form_names_the_missing_field():
    from types import SimpleNamespace

    from kiosk.journeys.submit import form as F
    schema = {"type": "object", "required": ["child_full_name", "nickname"],
              "properties": {"child_full_name": {"type": "string"}, "nickname": {"type": "string"}}}
    proc = SimpleNamespace(form=schema)
    found = dict(F.problems(proc, F.form_fields(proc), {}))
    # a field the catalog has a message for names itself; another keeps the general message
    assert found == {"child_full_name": "form.required.child_full_name", "nickname": "form.required"}


def data_texts():
    """The sample data's text (JSON strings) and the demo gateway's sources."""
    for path in sorted((ROOT / "assets/catalog").glob("*.json")):
        yield path, path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "kiosk/gateway/demo").rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")


def test_one_tone_placement_style_in_the_catalogs():
    wrong = {k: v for k, v in messages("vi").items() if other_style(v)}
    assert not wrong, wrong


def test_one_tone_placement_style_in_the_data():
    wrong = [(p.name, found) for p, t in data_texts() if (found := other_style(t))]
    assert not wrong, wrong
    assert any(SAME_STYLE.search(t) for _, t in data_texts())  # the data does use the style
