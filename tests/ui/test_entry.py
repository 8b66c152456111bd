"""Form fields without a physical keyboard: the editor opens on a tap, Telex is composed by the
app, dates and phone numbers are checked, a chip field cannot be edited, and nothing typed
survives a reset."""

import pytest

from kiosk.gateway.models import Province
from kiosk.widgets import entry
from kiosk.widgets.address import AddressForm
from kiosk.widgets.entry import EntryField


@pytest.fixture
def host(app):
    """Fields placed on the menu screen of the real app."""
    drv = app
    drv.tap(drv.screen.prompt)
    assert drv.app.current == "menu"
    added = []

    def place(widget):
        drv.screen.body.add_widget(widget, index=0)
        added.append(widget)
        drv.frames(3)
        return widget

    yield place
    entry.close_editors()
    for w in added:
        if w.parent:
            w.parent.remove_widget(w)


def test_telex_typed_on_the_keyboard_gives_nfc_vietnamese(app, host):
    drv = app
    changes = []
    field = host(EntryField(drv.app, "Họ và tên", kind="name", on_change=changes.append))
    drv.tap(field.box)
    editor = entry.open_editor()
    assert editor is not None and editor.keyboard is not None
    for key in "nguyeenx":
        drv.tap(editor.keyboard.keys[key])
    assert editor.shown_text.text == "Nguyễn"
    assert not drv.layout_problems(), drv.layout_problems()
    drv.tap(editor.ok)
    assert entry.open_editor() is None
    assert field.value == "Nguyễn" and changes == ["Nguyễn"]
    assert field.box.text == "Nguyễn"


def test_cancel_keeps_the_old_value(app, host):
    drv = app
    field = host(EntryField(drv.app, "Phố", kind="text", value="Láng"))
    drv.tap(field.box)
    editor = entry.open_editor()
    drv.tap(editor.keyboard.keys["x"])
    drv.tap(editor.cancel)
    assert field.value == "Láng" and entry.open_editor() is None


def test_a_date_is_typed_as_digits_and_checked(app, host):
    drv = app
    field = host(EntryField(drv.app, "Ngày sinh", kind="date", required=True))
    assert field.check() == "form.required"
    drv.tap(field.box)
    editor = entry.open_editor()
    for key in "31022024":  # no 31 February
        drv.tap(editor.keyboard.keys[key])
    assert editor.shown_text.text == "31/02/2024"
    drv.tap(editor.ok)
    assert entry.open_editor() is editor and editor.error.text  # still open, says why
    editor.type_text("29022024")
    drv.tap(editor.ok)
    assert field.value == "2024-02-29" and field.box.text == "29/02/2024"
    assert field.check() is None


def test_phone_numbers_are_checked(app, host):
    drv = app
    field = host(EntryField(drv.app, "Điện thoại", kind="phone"))
    drv.tap(field.box)
    editor = entry.open_editor()
    editor.type_text("12345")
    drv.tap(editor.ok)
    assert editor.error.text and field.value == ""
    editor.type_text("0912345678")
    drv.tap(editor.ok)
    assert field.value == "0912345678"


def test_a_choice_is_one_tap(app, host):
    drv = app
    field = host(EntryField(drv.app, "Giới tính", kind="choice", choices=[("Nam", "Nam"), ("Nữ", "Nữ")]))
    drv.tap(field.box)
    editor = entry.open_editor()
    drv.tap(editor.choice_buttons["Nữ"])
    assert field.value == "Nữ" and entry.open_editor() is None


def test_chip_data_is_shown_but_not_editable(app, host):
    drv = app
    field = host(EntryField(drv.app, "Số định danh", readonly=True, value="001189012345"))
    assert field.open() is None and entry.open_editor() is None
    assert field.box.parent is None  # no tappable box at all
    assert drv.has_text("Lấy từ thẻ căn cước, không sửa được.")


def test_a_reset_closes_the_editor_and_forgets_what_was_typed(app, host):
    drv = app
    field = host(EntryField(drv.app, "Tên", kind="name"))
    drv.tap(field.box)
    editor = entry.open_editor()
    editor.type_text("Trần Văn Bí Mật")
    drv.app.core.reset("timeout")
    drv.frames(3)
    assert entry.open_editor() is None
    assert editor.text == "" and editor.keyboard.text == ""
    assert not drv.has_text("Trần Văn Bí Mật")


def test_address_form_validates_and_builds_an_address(app, host):
    drv = app
    form = host(AddressForm(drv.app))
    form.set_provinces([Province("ha-noi", "Thành phố Hà Nội", "city"),
                        Province("an-giang", "Tỉnh An Giang", "province")])
    assert [c for c, _ in form.fields["province"].choices] == ["an-giang", "ha-noi"]  # A before H
    problems = dict(form.validate())
    assert set(problems) == {"recipient", "phone", "province", "ward", "street"}
    form.prefill(recipient="Nguyễn Thị Minh Khai", phone=None)
    drv.tap(form.fields["province"].box)
    drv.tap(entry.open_editor().choice_buttons["ha-noi"])
    for name, text in (("ward", "Phường Láng"), ("street", "Số 12 ngõ 34"), ("phone", "0912345678")):
        drv.tap(form.fields[name].box)
        editor = entry.open_editor()
        editor.type_text(text)
        drv.tap(editor.ok)
    assert form.validate() == []
    addr = form.address()
    assert (addr.province, addr.ward, addr.street) == ("Thành phố Hà Nội", "Phường Láng", "Số 12 ngõ 34")
    assert form.values()["province"] == "ha-noi"
    assert "Phường Láng" in form.summary()
    form.wipe()
    assert all(not v for k, v in form.values().items())


def test_a_closed_editor_and_its_keyboard_are_freed(app, host):
    """An editor opens for every field a citizen fills: a closed one must not stay alive
    through the theme (that would keep some forty keys per field for the life of the kiosk)."""
    import gc
    import weakref

    drv = app
    field = host(EntryField(drv.app, "Tên", kind="name"))
    editor = field.open()
    drv.frames(2)
    gone = weakref.ref(editor.keyboard), weakref.ref(editor)
    editor.dismiss()
    del editor
    drv.frames(3)
    gc.collect()
    assert [ref() for ref in gone] == [None, None]
