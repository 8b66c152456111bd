"""Staff and technician modes in plain Python: PIN entry, assisting a citizen, confirming the
applicant on the citizen's behalf, the help queue, cash confirmation, reprints, the outbox,
ending a session; device switching, the diagnostic
bundle and leaving the kiosk.  Every action writes an audit entry (no personal data).

The screens (``kiosk/screens/staff.py``, ``technician.py``, ``pin.py``) call only this.
Slow calls (gateway, printer) are meant to run through ``core.run``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.audit import AuditLog
from kiosk.devices.base import DeviceKind
from kiosk.errors import KioskError
from kiosk.gateway.client import new_idempotency_key
from kiosk.gateway.contract.payments import STAFF_CHECK_DOCUMENTS, StaffCheck
from kiosk.roles import PinLockStore, PinResult, Role
from kiosk.text import is_id_number

log = logging.getLogger("kiosk.staff")

PIN_OUTCOME = {PinResult.OK: "ok", PinResult.WRONG: "wrong_pin", PinResult.LOCKED: "locked",
               PinResult.DISABLED: "disabled"}


class StaffError(KioskError):
    """Something a staff member or technician can act on (message key + next step)."""

    next_step = "next.try_again"

    def __init__(self, message_key: str, next_step: str = "next.try_again", detail: str = ""):
        super().__init__(message_key, next_step, detail)
        self.args = (message_key,)


class StaffMode:
    def __init__(self, core, audit: AuditLog, *, outbox=None, exit_kiosk: Callable[[], None] | None = None):
        self.core = core
        self.audit = audit
        self._outbox = outbox
        self._exit_kiosk = exit_kiosk
        self.active: Role | None = None  # who unlocked the panel now (staff or technician)
        # failures and locks survive a restart: they live in the data folder (0600)
        store = PinLockStore(core.settings.data_dir / "pin-lock.json")
        for role in (Role.STAFF, Role.TECHNICIAN):
            self.gate(role).remember(store, role.value)

    # -- identity -------------------------------------------------------------------------------

    @property
    def staff_id(self) -> str:
        return f"staff.{self.core.settings.kiosk.kiosk_id}"[:40]  # the gateway accepts [A-Za-z0-9_.-]

    def gate(self, role: Role):
        return self.core.staff_gate if role is Role.STAFF else self.core.technician_gate

    def enter(self, role: Role, pin: str) -> PinResult:
        """Check a PIN for ``role``; audits success, wrong PIN and lockout."""
        gate = self.gate(role)
        was_locked = gate.locked_for() > 0
        result = gate.check(pin)
        outcome = PIN_OUTCOME[result]
        detail: dict[str, Any] = {}
        if result is PinResult.WRONG:
            detail["attempts_left"] = gate.attempts_left()
        if result is PinResult.LOCKED:
            detail["locked_seconds"] = int(gate.locked_for())
            if not was_locked:
                outcome = "lockout"  # this wrong PIN started the lock
                detail["lock_in_a_row"] = gate.streak
        self.audit.record(f"{role.value}.enter", outcome, self.core.session.role, **detail)
        if result is PinResult.OK:
            self.active = role
            if role is Role.TECHNICIAN:
                # a citizen hammering the staff PIN cannot keep staff out: the technician's
                # entry lifts the staff lock (the technician gate itself only times out)
                staff_gate = self.gate(Role.STAFF)
                if staff_gate.locked_for() > 0 or staff_gate.attempts_left() < staff_gate.max_attempts:
                    staff_gate.reset()
                    self.audit.record("staff.unlock", "ok", Role.TECHNICIAN)
                # no citizen data beside diagnostics: whatever session was open ends here
                if self.core.session.holds_data() or self.core.session.journey:
                    self.core.reset("technician")
                self.core.session.role = Role.TECHNICIAN
            self.core.idle.arm()  # an unattended panel times out like any session
        log.info("mode entry", extra={"role": role.value, "outcome": outcome})
        return result

    def leave(self) -> None:
        """Close the staff/technician panel (staff assistance, once consented, goes on)."""
        if self.active is not None:
            self.audit.record(f"{self.active.value}.leave", "ok", self.active)
        if self.core.session.role is Role.TECHNICIAN:
            self.core.session.role = Role.CITIZEN
        self.active = None

    def locked_for(self, role: Role) -> float:
        return self.gate(role).locked_for()

    # -- staff assistance -----------------------------------------------------------------------

    @property
    def assisting(self) -> bool:
        return self.core.session.role is Role.STAFF

    def record_consent(self) -> None:
        """The citizen agreed that staff act on their behalf: the session becomes a staff one."""
        self.core.session.role = Role.STAFF
        self.audit.record("staff.consent", "ok", Role.STAFF, journey=self.core.session.journey)

    def confirm_applicant(self, id_number: str, document: str) -> StaffCheck:
        """Staff, just signed in with the staff PIN, checked ``document`` (one of
        ``STAFF_CHECK_DOCUMENTS``) against the citizen and typed the ID number on it: the
        check is the applicant proof of this session (kept by the identify journey, wiped with
        the session), the journey moves on, and the PIN's sign-in ends (one confirmation per
        PIN).  The audit entry names the journey and the document, never the number."""
        if self.active is not Role.STAFF:
            raise StaffError("staff.confirm.pin_first", "next.enter_staff_pin")
        if document not in STAFF_CHECK_DOCUMENTS:
            raise StaffError("staff.confirm.which_document", "next.staff_pick_document")
        if not is_id_number(id_number):
            raise StaffError("staff.confirm.bad_number", "next.check_id_number")
        journeys = self.core.journeys
        if journeys is None or not journeys.identify.staff_may_confirm:
            raise StaffError("staff.confirm.not_here", "next.try_again")
        check = StaffCheck(id_number, document, self.staff_id)
        self.audit.record("staff.applicant_confirmed", "ok", Role.STAFF, journey=self.core.session.journey,
                          document=document)
        self.leave()
        journeys.identify.use_staff_check(check)
        return check

    def end_session(self) -> None:
        """Staff end the citizen's session: everything is wiped."""
        self.audit.record("staff.end_session", "ok", self.core.session.role, journey=self.core.session.journey)
        self.active = None
        self.core.reset("staff-ended")

    # -- help queue (gateway) -------------------------------------------------------------------

    def _client(self):
        gw = self.core.gateway
        if gw is None:
            raise StaffError("gateway.unavailable", "next.ask_staff")
        return gw

    def help_requests(self) -> list:
        """Waiting and in-service help requests of this kiosk (blocking: call off the UI thread)."""
        client = self._client()
        kiosk = self.core.settings.kiosk.kiosk_id
        waiting = client.list_help_requests("waiting", kiosk_id=kiosk)
        serving = client.list_help_requests("in_service", kiosk_id=kiosk)
        return sorted(waiting + serving, key=lambda t: t.id)

    def update_help(self, help_id: int, status: str):
        ticket = self._client().update_help_request(help_id, status, staff_id=self.staff_id)
        self.audit.record("help.update", status, Role.STAFF, ticket=ticket.ticket)
        return ticket

    # -- cash -----------------------------------------------------------------------------------

    def pending_cash(self):
        """The session's cash payment still waiting for staff, or None."""
        draft = self.core.journeys.pay.existing if self.core.journeys is not None else None
        payment = draft.payment if draft is not None else None
        if payment is not None and payment.method == "cash" and not payment.settled:
            return payment
        return None

    def confirm_cash(self, payment=None, receipt_number: str | None = None):
        """Staff took the cash: tell the gateway (the gateway service queues it in the outbox
        when the gateway is down).  Blocking."""
        payment = payment or self.pending_cash()
        if payment is None:
            raise StaffError("staff.no_cash_payment", "next.try_again")
        keys = self.core.journeys.pay.draft.keys if self.core.journeys is not None else {}
        key = keys.setdefault(f"confirm:{payment.id}", new_idempotency_key())  # a retry confirms once
        try:
            result = self._client().confirm_cash(payment.id, self.staff_id, payment.amount_vnd,
                                                 receipt_number=receipt_number, idempotency_key=key)
        except Exception as exc:
            self.audit.record("payment.cash_confirm", "failed", Role.STAFF, payment=payment.id,
                              error=getattr(exc, "message_key", type(exc).__name__))
            raise
        queued = getattr(result, "provisional", False)
        if not queued and self.core.journeys is not None:
            self.core.journeys.pay.settled(result)
        self.audit.record("payment.cash_confirm", "queued" if queued else "ok", Role.STAFF, payment=payment.id,
                          amount_vnd=payment.amount_vnd)
        return result

    # -- receipts -------------------------------------------------------------------------------

    def receipts(self) -> list[dict]:
        store = getattr(self.core.devices.printer, "reprint_store", None)
        return list(reversed(store.list())) if store is not None else []

    def reprint(self, receipt_id: str):
        """Print a kept receipt again (blocking)."""
        result = self.core.devices.printer.reprint_store.reprint(receipt_id)
        self.audit.record("receipt.reprint", "ok" if result.ok else result.message_key, self.active or Role.STAFF,
                          receipt=receipt_id)
        return result

    # -- outbox ---------------------------------------------------------------------------------

    @property
    def outbox(self):
        """The kiosk's one offline outbox (the runtime's), or None."""
        return self._outbox

    def outbox_state(self) -> dict:
        from kiosk.diagnostics import outbox_report

        return outbox_report(self.outbox, self.core.settings)

    def set_aside_items(self) -> list[dict]:
        """Items set aside for staff (refused for good, or answered with nonsense): number, kind,
        provisional reference, reason, attempts, when queued.  No personal data."""
        if self.outbox is None:
            return []
        keep = ("seq", "kind", "reference", "last_error", "attempts", "created_at")
        return [{k: item[k] for k in keep} for item in self.outbox.items("set_aside")]

    def retry_set_aside(self, seq: int | None = None) -> int:
        """Put one set-aside item (or all) back in the queue and deliver now (blocking); the
        item goes with its first key and bytes, so nothing is ever filed twice.  Returns how
        many were delivered."""
        if self.outbox is None:
            raise StaffError("outbox.error", "next.call_technician")
        back = self.outbox.retry(seq)
        self.audit.record("outbox.requeue", "ok" if back else "none", self.active or Role.STAFF,
                          item=seq if seq is not None else "all", count=back)
        return self.retry_outbox()

    def export_set_aside(self, seq: int, folder=None):
        """Write one set-aside item for the back office (sealed with the outbox key; see
        ``Outbox.export``) into ``folder`` (default ``data_dir/outbox-export``); its path."""
        if self.outbox is None:
            raise StaffError("outbox.error", "next.call_technician")
        folder = folder or self.core.settings.data_dir / "outbox-export"
        try:
            path = self.outbox.export(seq, folder)
        except Exception as exc:
            self.audit.record("outbox.export", "failed", self.active or Role.STAFF, item=seq,
                              error=getattr(exc, "message_key", type(exc).__name__))
            raise StaffError("outbox.export_failed", "next.call_technician", type(exc).__name__) from None
        self.audit.record("outbox.export", "ok", self.active or Role.STAFF, item=seq, file=path.name)
        return path

    def retry_outbox(self) -> int:
        """Deliver what waits now (blocking); returns how many went."""
        if self.outbox is None:
            raise StaffError("outbox.error", "next.call_technician")
        try:
            sent = self.outbox.deliver(self._client().wait())  # the client itself: never queued again
        except Exception as exc:
            self.audit.record("outbox.retry", "failed", self.active or Role.STAFF,
                              error=getattr(exc, "message_key", type(exc).__name__))
            raise
        waiting = self.outbox.depth()
        self.audit.record("outbox.retry", "ok" if not waiting else "waiting", self.active or Role.STAFF,
                          delivered=sent, waiting=waiting)
        return sent

    # -- technician -----------------------------------------------------------------------------

    def switch_device(self, kind: DeviceKind, simulated: bool):
        driver = self.core.devices.switch(kind, simulated=simulated)
        self.audit.record("device.switch", "simulated" if simulated else "real", Role.TECHNICIAN, device=kind.value)
        return driver

    def export_bundle(self, dest, *, gateway: dict | None = None):
        from kiosk import diagnostics

        try:
            folder = diagnostics.export_bundle(dest, self.core.settings, self.core.devices, gateway=gateway,
                                               outbox=self.outbox, audit=self.audit)
        except Exception as exc:
            self.audit.record("diagnostics.export", "failed", Role.TECHNICIAN,
                              error=getattr(exc, "message_key", type(exc).__name__))
            raise
        self.audit.record("diagnostics.export", "ok", Role.TECHNICIAN, folder=folder.name)
        return folder

    def print_self_test(self, lang: str = "vi"):
        from kiosk import diagnostics

        result = diagnostics.printer_test_page(self.core.devices.printer, self.core.settings,
                                               self.core.board.all(), lang=lang)
        self.audit.record("printer.self_test", "ok" if result["ok"] else result["message_key"], Role.TECHNICIAN)
        return result

    def exit_kiosk(self) -> None:
        self.audit.record("kiosk.exit", "ok", Role.TECHNICIAN)
        self.active = None
        if self._exit_kiosk is not None:
            self._exit_kiosk()
