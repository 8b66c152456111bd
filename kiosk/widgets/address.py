"""Where a result is posted to: recipient, phone and a two-level Vietnamese address.

Since 1 July 2025 an address is province (34 units) + ward/commune + street; there are no
districts.  The province is chosen from the gateway's list (``core.gateway.provinces()``), the
ward/commune from that province's list (``kiosk.units``, 3,321 in all): both on searchable
pickers (``kiosk.widgets.picker``), never typed.  The street is typed on the Vietnamese
keyboard, the phone on the numeric pad.  The address on the citizen's chip ID card, converted
to the two levels, is offered as one tap (``offer_residence``).

    form = AddressForm(app, with_recipient=True)
    form.set_provinces(provinces)          # kiosk.gateway.models.Province list, from a worker
    form.offer_residence(residence)        # kiosk.units.Residence from the chip: one tap fills it
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

from kiosk import units
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton
from kiosk.widgets.entry import EntryField
from kiosk.widgets.picker import PickerField

FIELDS = ("recipient", "phone", "province", "ward", "street")
LABELS = {"recipient": "address.recipient", "phone": "address.phone", "province": "address.province",
          "ward": "address.ward", "street": "address.street"}
HINTS = {"street": "address.street_hint"}
ADDRESS_FIELDS = ("province", "ward", "street")


class AddressForm(BoxLayout):
    def __init__(self, app, *, with_recipient: bool = True, **kw):
        t = th.get_theme()
        kw.setdefault("size_hint_y", None)
        super().__init__(orientation="vertical", spacing=t.px(16), **kw)
        self.bind(minimum_height=self.setter("height"))
        self.app = app
        self.with_recipient = with_recipient
        self.province_names: dict[str, str] = {}
        self.residence = None  # kiosk.units.Residence offered as one tap
        # one tap: the address on the chip ID card, in today's units
        self.from_card = BigButton("", action=self.use_residence, kind="secondary", size=th.FONT_BODY,
                                   halign="left")
        self.from_card.min_height = 130
        self.other_address = BigButton(app.t("address.other"), action=self.type_other, kind="secondary",
                                       size=th.FONT_BODY)
        self.other_address.min_height = 110
        self._hidden: list = []  # (field, its parent, its index) while the card's address is offered
        self.declined = False  # the citizen went on without the card's address: not offered again
        spec = {
            "recipient": dict(kind="name", max_length=100),
            "phone": dict(kind="phone", max_length=11),
            "province": dict(),
            "ward": dict(),
            "street": dict(kind="text", max_length=160),
        }
        self.fields: dict[str, EntryField] = {}
        for name in FIELDS:
            if not with_recipient and name in ("recipient", "phone"):
                continue
            hint = app.t(HINTS[name]) if name in HINTS else ""
            if name in ("province", "ward"):
                field = PickerField(app, app.t(LABELS[name]), required=True, name=name,
                                    on_change=self._province_chosen if name == "province" else None)
            else:
                field = EntryField(app, app.t(LABELS[name]), required=True, name=name, hint=hint, **spec[name])
            self.fields[name] = field
            self.add_widget(field)

    # -- data ---------------------------------------------------------------------------------

    def set_provinces(self, provinces: Sequence) -> None:
        """The provinces the gateway lists (objects with ``code`` and ``name``)."""
        self.province_names = {p.code: p.name for p in provinces}
        self.fields["province"].set_choices(sorted(self.province_names.items(), key=lambda kv: _sort_key(kv[1])))
        self._ward_choices()

    def _ward_choices(self) -> None:
        """The chosen province's wards and communes; a ward of another province goes."""
        name = self.province_names.get(self.fields["province"].value, "")
        names = units.wards(name) if name else []
        ward = self.fields["ward"]
        ward.set_choices([(n, n) for n in names])
        if ward.value and ward.value not in names:
            ward.set_value("")

    def _province_chosen(self, _value: str) -> None:
        self._ward_choices()

    def set_province(self, code: str) -> None:
        """Choose a province by its code (as the citizen would on the list)."""
        self.fields["province"].set_value(code)
        self._ward_choices()

    def offer_residence(self, residence) -> None:
        """The chip's address in today's units (``kiosk.units.Residence``), offered as one tap
        in place of the province, ward and street fields (still empty), with "another address"
        beside it; None takes the offer away."""
        self._show_address_fields()
        self.residence = residence
        if residence is None or self.declined or any(self.fields[n].value for n in ADDRESS_FIELDS):
            return
        self._label_residence()
        province = self.fields["province"]
        # where the province is; on top of the form when the screen moved the province elsewhere
        parent = self
        at = self.children.index(province) + 1 if province in self.children else len(self.children)
        for name in ADDRESS_FIELDS:
            field = self.fields[name]
            if field.parent is not None:
                holder = field.parent
                index = holder.children.index(field)
                if holder is parent and index < at:
                    at -= 1  # the fields below the offer's place go
                self._hidden.append((field, holder, index))
                holder.remove_widget(field)
        parent.add_widget(self.other_address, index=at)
        parent.add_widget(self.from_card, index=at + 1)

    @property
    def offering(self) -> bool:
        """Whether the card's address is offered in place of the address fields."""
        return self.from_card.parent is not None

    def _show_address_fields(self) -> None:
        for w in (self.from_card, self.other_address):
            if w.parent is not None:
                w.parent.remove_widget(w)
        for field, holder, index in reversed(self._hidden):
            if field.parent is None:
                holder.add_widget(field, index=min(index, len(holder.children)))
        self._hidden.clear()

    def type_other(self) -> None:
        """Another address than the card's: the province, ward and street fields, empty."""
        self.declined = True
        self._show_address_fields()

    def _label_residence(self) -> None:
        r = self.residence
        if r is None:
            return
        where = ", ".join(p for p in (r.street, r.ward, r.province) if p)
        key = "address.from_card_choose_ward" if not r.ward else "address.from_card"
        self.from_card.text = self.app.t(key, address=where)

    def use_residence(self) -> None:
        """The one tap: province, ward (or the wards to choose from) and street from the card."""
        r = self.residence
        self._show_address_fields()
        if r is None:
            return
        wanted = units.province_key(r.province)
        code = next((c for c, n in self.province_names.items() if units.province_key(n) == wanted), None)
        if code is None:
            return
        self.set_province(code)
        ward = self.fields["ward"]
        ward.suggest(r.choices)
        if r.ward:
            ward.set_value(r.ward)
        if r.street:
            self.fields["street"].set_value(r.street)

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
        # an address is needed: the fields say what is missing (and the offer, if it comes
        # late, does not hide them again)
        self.declined = True
        self._show_address_fields()
        problems = []
        for name, field in self.fields.items():
            key = field.check()
            if key == "form.required":  # a missing field names itself
                key = f"form.required.{name}"
                field.set_error(key)
            if key:
                problems.append((name, key))
        return problems

    # -- screen duties ------------------------------------------------------------------------

    def relabel(self) -> None:
        self._label_residence()
        self.other_address.text = self.app.t("address.other")
        for name, field in self.fields.items():
            field.label.text = self.app.t(LABELS[name])
            if name in HINTS:
                field.hint = self.app.t(HINTS[name])
            field.relabel()

    def wipe(self) -> None:
        for field in self.fields.values():
            field.wipe()
        self.offer_residence(None)
        self.declined = False
        self.from_card.text = ""


def _sort_key(name: str) -> str:
    """Provinces in alphabetical order of their proper name ("Thành phố Hà Nội" under H)."""
    return units.sort_key(name)
