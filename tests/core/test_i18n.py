import ast
import re
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.i18n import LANGUAGES, Translator

ROOT = Path(__file__).resolve().parents[2]


def test_catalogs_have_the_same_keys_and_no_empty_translation():
    tr = Translator()
    keys = {lang: tr.keys(lang) for lang in LANGUAGES}
    assert keys["vi"] == keys["en"]
    for lang in LANGUAGES:
        for key in keys[lang]:
            assert tr.t(key, lang=lang).strip(), f"{lang}: {key} is empty"


def test_every_literal_key_used_in_code_is_translated():
    tr = Translator()
    known = tr.keys("vi")
    used = set()
    rx = re.compile(r"^[a-z_]+(\.[a-z0-9_\-]+)+$")
    for path in (ROOT / "kiosk").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("t", "tr"):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and rx.match(arg.value):
                        used.add(arg.value)
    missing = sorted(k for k in used if k not in known)
    assert not missing, missing


def _write_po(root, lang, body):
    path = root / lang / "LC_MESSAGES" / "kiosk.po"
    path.parent.mkdir(parents=True)
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + body, encoding="utf-8")


def test_po_read_and_compiled_through_babel(tmp_path):
    _write_po(tmp_path, "vi", 'msgid "a.b"\nmsgstr ""\n"Xin chào "\n"bạn"\n\nmsgid "c"\nmsgstr "d \\"q\\""\n\n'
                              'msgid "untranslated"\nmsgstr ""\n')
    cat = i18n.load_catalog("vi", tmp_path)
    assert cat.gettext("a.b") == "Xin chào bạn"
    assert cat.gettext("c") == 'd "q"'
    assert cat.gettext("untranslated") == "untranslated"  # an empty msgstr counts as missing
    assert i18n.keys("vi", tmp_path) == {"a.b", "c"}


def test_malformed_po_is_refused(tmp_path):
    from babel.messages.pofile import PoFileError

    _write_po(tmp_path, "vi", 'msgid "a"\nmsgstr "b"\nnonsense here\n')
    with pytest.raises(PoFileError):
        i18n.read_catalog("vi", tmp_path)


def test_shared_catalog_and_text_lookup():
    assert i18n.catalog("vi") is i18n.catalog("vi")
    assert i18n.text("attract.touch", "en") == "Touch to start"
    assert i18n.text("no.such.key", "en") is None
    with pytest.raises(ValueError):
        i18n.catalog("fr")


def test_missing_key_is_recorded_and_language_switch_notifies():
    tr = Translator("vi")
    heard = []
    tr.subscribe(heard.append)
    assert tr.t("no.such.key") == "no.such.key"
    assert ("vi", "no.such.key") in tr.missing
    tr.set_language("en")
    assert heard == ["en"] and tr.t("attract.touch") == "Touch to start"


def test_every_error_message_and_next_step_key_is_translated():
    """Errors carry message keys (card.*, printer.*, qr.*, gateway.*, form.*, next.*): each one a
    citizen can meet must be in both catalogs."""
    tr = Translator()
    rx = re.compile(r"^(card|printer|qr|gateway|form|next)\.[a-z0-9_.\-]+$")
    found = {}
    kiosk = ROOT / "kiosk"
    sources = [*(kiosk / "devices").rglob("*.py"), *(kiosk / "gateway").glob("*.py"), kiosk / "payloads.py",
               *(kiosk / "receipts").glob("*.py")]
    # the core and the journey services, as a module or as packages
    sources += [kiosk / "core.py"] if (kiosk / "core.py").is_file() else []
    for package in ("core", "journeys"):
        sources += sorted((kiosk / package).rglob("*.py"))
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstring = {id(c) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for c in ast.walk(n)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and rx.match(node.value)
                    and id(node) not in in_fstring):
                found.setdefault(node.value, path.name)
    assert len(found) > 60
    for lang in LANGUAGES:
        missing = sorted(k for k in found if k not in tr.keys(lang))
        assert not missing, (lang, missing)
