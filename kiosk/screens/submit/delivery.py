"""Where the result goes: picked up at this post office, or by post (recipient, phone, address)
when the procedure allows it."""

from __future__ import annotations

from kiosk.core import CitizenError
from kiosk.screens.submit.common import SubmitScreen, column, offer_fixes, scroll_page, to_top
from kiosk.widgets import theme as th
from kiosk.widgets.common import BigButton, Text


class SubmitDeliveryScreen(SubmitScreen):
    title_key = "submit.delivery.title"

    def build(self) -> None:
        from kiosk.widgets.address import AddressForm

        self.method = "pickup"
        self.pickup = BigButton("", action=lambda: self.choose("pickup"), size=th.FONT_BODY)
        self.pickup.min_height = 130
        self.post = BigButton("", action=lambda: self.choose("post"), kind="secondary", size=th.FONT_BODY)
        self.post.min_height = 130
        self.only_pickup = Text("", size=th.FONT_SMALL, role="muted")
        self.address = AddressForm(self.app, with_recipient=True)
        self.address_title = self.tr(Text("", size=th.FONT_HEADING, bold=True, role="primary"),
                                     "submit.delivery.address")
        self.content = column(spacing=20)
        self.scroll = scroll_page(self.content)
        self.go = BigButton("", action=self.confirm, size=th.FONT_TITLE)
        self.go.min_height = 150
        self.tr(self.go, "submit.continue")
        self.place(self.scroll, self.go)

    @property
    def offers_post(self) -> bool:
        return self.service.offers_post

    def enter(self, **kw) -> None:
        self.hide_error()
        d = self.draft.delivery
        self.method = d.get("method", "pickup") if self.offers_post else "pickup"
        self.tr(self.pickup, "submit.delivery.pickup", office=self.core.settings.kiosk.location_name)
        quote = self.service.post_quote  # the fee is said where post is chosen, not after
        self.tr(self.post, "submit.delivery.post_fee", fee=self.money(quote["fee_vnd"]), days=quote["estimated_days"])
        if self.offers_post:
            self.service.provinces().then(self._provinces)
            ident = self.core.session.identity
            if d.get("method") == "post":
                self.address.prefill(**{k: d.get(k) for k in ("recipient", "phone", "ward", "street")})
                if d.get("province"):
                    self.address.fields["province"].set_value(d["province"])
            elif ident is not None:
                self.address.prefill(recipient=ident.full_name)
        self.render()
        to_top(self.scroll)

    def _provinces(self, provinces) -> None:
        chosen, ward = self.address.fields["province"].value, self.address.fields["ward"].value
        self.address.set_provinces(provinces)
        if chosen:
            self.address.set_province(chosen)
            if ward:
                self.address.fields["ward"].set_value(ward)
        # the address on the chip, in today's province and ward: offered as one tap
        self.service.residence([p.name for p in provinces]).then(self._residence)

    def _residence(self, residence) -> None:
        if self.manager is not None and self.manager.current == self.name and not self.address.fields["ward"].value:
            self.address.offer_residence(residence)

    def choose(self, method: str) -> None:
        self.hide_error()
        self.method = method
        self.render()

    def render(self) -> None:
        self.content.clear_widgets()
        self.content.add_widget(self.pickup)
        self.pickup.kind = "primary" if self.method == "pickup" else "secondary"
        self.pickup.selected = self.method == "pickup"  # the option taken has a tick, not only a fill
        if self.offers_post:
            self.post.kind = "primary" if self.method == "post" else "secondary"
            self.post.selected = self.method == "post"
            self.content.add_widget(self.post)
            if self.method == "post":
                self.content.add_widget(self.address_title)
                self.content.add_widget(self.address)
        else:
            self.tr(self.only_pickup, "submit.delivery.only_pickup")
            self.content.add_widget(self.only_pickup)

    def on_relabel(self) -> None:
        self.address.relabel()

    def confirm(self) -> None:
        self.hide_error()
        if self.method != "post":
            self.service.choose_delivery("pickup")
            return
        problems = self.address.validate()
        if problems:
            self.show_error(CitizenError("submit.form.check", "next.submit_fix_fields"))
            first = self.address.fields.get(problems[0][0])
            if first is not None:
                offer_fixes(self, self.scroll, first)  # the message takes you to it, and focuses it
            return
        self.service.choose_delivery("post", self.address.values())

    def wipe(self) -> None:
        super().wipe()
        self.address.wipe()
        self.method = "pickup"
        self.content.clear_widgets()
