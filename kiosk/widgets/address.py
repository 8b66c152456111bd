"""Where a result is posted to: recipient, phone and a two-level Vietnamese address.

Since 1 July 2025 an address is province (34 units) + ward/commune + street; there are no
districts.  The province is chosen from the gateway's list (``core.gateway.provinces()``), the
ward/commune and the street are typed on the Vietnamese keyboard, the phone on the numeric pad.

    form = AddressForm(app, with_recipient=True)
    form.set_provinces(provinces)          # kiosk.gateway.models.Province list, from a worker
    form.prefill(recipient="Nguyễn Văn A") # e.g. from the chip; the citizen may change it
    problems = form.validate()             # [(field, message key)], shown on the fields too
    form.address()                         # kiosk.gateway.models.Address
    form.values()                          # dict: recipient, phone, province (code),
                                           #   province_name, ward, street
    form.wipe()                            # on every reset: nothing of it stays on screen

The screen owns the form's title and translates the field names through ``relabel()`` (call it
from the screen's ``on_relabel``).
"""

from __future__ import annotations

from collections.abc import Sequence

from kivy.uix.boxlayout import BoxLayout

from kiosk.widgets import theme as th
from kiosk.widgets.entry import EntryField

FIELDS = ("recipient", "phone", "province", "ward", "street")
LABELS = {"recipient": "address.recipient", "phone": "address.phone", "province": "address.province",
          "ward": "address.ward", "street": "address.street"}
HINTS = {"ward": "address.ward_hint", "street": "address.street_hint"}


class AddressForm(BoxLayout):
    def __init__(self, app, *, with_recipient: bool = True, **kw):
        t = th.get_theme()
        kw.setdefault("size_hint_y", None)
        super().__init__(orientation="vertical", spacing=t.px(24), **kw)
        self.bind(minimum_height=self.setter("height"))
        self.app = app
        self.with_recipient = with_recipient
        self.province_names: dict[str, str] = {}
        spec = {
            "recipient": dict(kind="name", max_length=100),
            "phone": dict(kind="phone", max_length=11),
            "province": dict(kind="choice"),
            "ward": dict(kind="name", max_length=60),
            "street": dict(kind="name", max_length=160),
        }
        self.fields: dict[str, EntryField] = {}
        for name in FIELDS:
            if not with_recipient and name in ("recipient", "phone"):
                continue
            hint = app.t(HINTS[name]) if name in HINTS else ""
            field = EntryField(app, app.t(LABELS[name]), required=True, name=name, hint=hint, **spec[name])
            self.fields[name] = field
            self.add_widget(field)

    # -- data ---------------------------------------------------------------------------------

    def set_provinces(self, provinces: Sequence) -> None:
        """The provinces the gateway lists (objects with ``code`` and ``name``)."""
        self.province_names = {p.code: p.name for p in provinces}
        self.fields["province"].set_choices(sorted(self.province_names.items(), key=lambda kv: _sort_key(kv[1])))

    def prefill(self, **values: str | None) -> None:
        """Fill fields that are still empty (a citizen's own typing is never overwritten)."""
        for name, value in values.items():
            field = self.fields.get(name)
            if field is not None and value and not field.value:
                field.set_value(value)

    def values(self) -> dict[str, str]:
        out = {name: field.value for name, field in self.fields.items()}
        out["province_name"] = self.province_names.get(out.get("province", ""), out.get("province", ""))
        return out

    def address(self):
        from kiosk.gateway.models import Address

        v = self.values()
        return Address(province=v["province_name"], ward=v["ward"], street=v["street"])

    def summary(self) -> str:
        """One line for a review screen: street, ward, province."""
        v = self.values()
        return ", ".join(p for p in (v["street"], v["ward"], v["province_name"]) if p)

    def validate(self) -> list[tuple[str, str]]:
        problems = []
        for name, field in self.fields.items():
            key = field.check()
            if key:
                problems.append((name, key))
        return problems

    # -- screen duties ------------------------------------------------------------------------

    def relabel(self) -> None:
        for name, field in self.fields.items():
            field.label.text = self.app.t(LABELS[name])
            if name in HINTS:
                field.hint = self.app.t(HINTS[name])
            field.relabel()

    def wipe(self) -> None:
        for field in self.fields.values():
            field.wipe()


def _sort_key(name: str) -> str:
    """Provinces in alphabetical order of their proper name ("Thành phố Hà Nội" under H)."""
    from kiosk.text import fold

    folded = fold(name)
    for prefix in ("thanh pho ", "tinh "):
        if folded.startswith(prefix):
            return folded[len(prefix):]
    return folded
