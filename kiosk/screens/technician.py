"""Technician mode: hidden entry (a ~3 s press in the top-left corner, then the technician
PIN) and a diagnostics panel for every device, the gateway and the system; switching a device
to its simulated twin; exporting a diagnostic bundle; the self-test page; leaving the kiosk.

``install(app)`` (EXTENSION) adds the hidden corner (metrics and the systemd watchdog are the
runtime's and the app's).  All checks are
``kiosk.diagnostics`` functions run off the UI thread; actions go through ``app.staff``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kivy.clock import Clock

from kiosk import diagnostics
from kiosk.devices.base import DeviceKind, DeviceStatus
from kiosk.roles import Role
from kiosk.screens.staff import TabbedPanelScreen, line, open_pin, section_title
from kiosk.widgets import theme as th
from kiosk.widgets.common import Picture, wrap_paths
from kiosk.widgets.longpress import LongPress

log = logging.getLogger("kiosk.screens.technician")

TABS = ("card", "camera", "printer", "gateway", "system", "actions")
HOLD_SECONDS = 3.0


class HiddenCorner(LongPress):
    """An invisible square in the top-left corner: held for ~3 s it opens the technician PIN.
    A short touch passes through untouched."""

    def __init__(self, action, hold: float = HOLD_SECONDS, **kw):
        t = th.get_theme()
        super().__init__(action, hold, size_hint=(None, None), size=(t.px(140), t.px(140)), **kw)


def open_technician(app) -> None:
    def ok():
        app.screen("technician").back_to = "attract"
        app.show_step("technician")

    open_pin(app, Role.TECHNICIAN, ok)


def install(app) -> None:
    """EXTENSION: the hidden technician corner."""
    root = app.root_layout
    corner = HiddenCorner(lambda: open_technician(app))

    def place(*_):
        corner.pos = (0, root.height - corner.height)

    root.bind(size=place)
    root.add_widget(corner)
    place()
    app.technician_corner = corner


def bundle_targets(settings) -> list[Path]:
    """Where a bundle can go: mounted removable drives (USB sticks), then the data folder."""
    found: list[Path] = []
    for base in (Path("/media"), Path("/run/media")):
        try:
            for user_dir in base.iterdir():
                for mount in (user_dir.iterdir() if user_dir.is_dir() else []):
                    if mount.is_dir() and os.access(mount, os.W_OK):
                        found.append(mount)
        except OSError:
            continue
    return found[:3] + [settings.data_dir / "diagnostics"]


def status_lines(app, status: DeviceStatus | None) -> list:
    if status is None:
        return [line(app.t("tech.no_status"), "muted")]
    # in words ("Đã kết nối · Có thẻ"), not the raw states ("online / present")
    media = "" if status.media.value == "n/a" else " · " + app.t(f"tech.media.{status.media.value}")
    sim = app.t("tech.simulated") if status.simulated else app.t("tech.real")
    rows = [line(app.t("tech.state", state=app.t(f"tech.state.{status.state.value}") + media, mode=sim),
                 "error" if status.needs_technician else "ok"),
            line(app.t("tech.name", name=status.name), "muted", size=th.FONT_SMALL)]
    if status.detail:
        rows.append(line(app.t("tech.detail", detail=status.detail), "muted", size=th.FONT_SMALL))
    if status.last_error:
        rows.append(line(app.t("tech.last_error", error=error_words(app, status.last_error)), "error",
                         size=th.FONT_SMALL))
    return rows


def error_words(app, error: str) -> str:
    """A device's last error in words: a message key (``printer.paper_out``) is translated, a
    driver's own text (``cannot open scanner: ...``) is shown as it is."""
    if error in app.translator.keys(app.translator.lang):
        return app.t(error)
    return error


class TechnicianScreen(TabbedPanelScreen):
    title_key = "tech.title"
    tabs = TABS
    tab_prefix = "tech"

    def build(self) -> None:
        super().build()
        self.results: dict[str, dict] = {}
        self.preview_event = None
        self.preview_image = None
        self.started_qr = False
        self.switch_buttons: dict[str, object] = {}

    def build_exit_row(self) -> None:
        from kiosk.widgets.common import BigButton

        self.leave_button = BigButton("", action=self.leave, kind="secondary", size=th.FONT_BODY)
        self.tr(self.leave_button, "tech.leave")
        self.exit_button = BigButton("", action=self.exit_kiosk, kind="danger", size=th.FONT_BODY)
        self.tr(self.exit_button, "tech.exit_kiosk")
        self.exit_row.add_widget(self.leave_button)
        self.exit_row.add_widget(self.exit_button)

    def enter(self, **kw) -> None:
        self.results = {}
        super().enter()

    def show_tab(self, name: str) -> None:
        if name != "camera":
            self._stop_preview()
        super().show_tab(name)

    def device(self, kind: DeviceKind):
        return self.core.devices.drivers.get(kind)

    def switch_button(self, kind: DeviceKind):
        driver = self.device(kind)
        simulated = bool(getattr(driver, "simulated", False))
        key = "tech.use_real" if simulated else "tech.use_simulated"
        b = self.button(key, lambda: self.switch(kind, not simulated), kind="secondary")
        self.switch_buttons[kind.value] = b
        return b

    def switch(self, kind: DeviceKind, simulated: bool) -> None:
        tab = self.current_tab
        if kind is DeviceKind.QR_SOURCE:
            self._stop_preview()
        self.run(lambda: self.app.staff.switch_device(kind, simulated), lambda _d: self.show_tab(tab), "device-switch")

    def measured(self, name: str, work, what: str) -> None:
        tab = self.current_tab

        def done(result):
            self.results[name] = result
            self.show_tab(tab)

        self.run(work, done, what)

    # -- card reader ------------------------------------------------------------------------------

    def tab_card(self) -> None:
        reader = self.device(DeviceKind.CARD_READER)
        self.panel(section_title(self.app.t("tech.tab.card")),
                   *status_lines(self.app, reader.status if reader else None))
        if reader is None:
            return
        report = diagnostics.card_report(reader)
        readers = report["readers"] or []
        rows = [line(self.app.t("tech.readers", count=len(readers)))]
        for r in readers:
            card = "tech.card_present" if r.get("card_present") else "tech.card_absent"
            rows.append(line(self.app.t("tech.reader_line", reader=r.get("reader", "?"), card=self.app.t(card),
                                        atr=r.get("atr") or "-"), size=th.FONT_SMALL))
        self.test_read_button = self.button("tech.test_read", lambda: self.measured(
            "card", lambda: diagnostics.card_test_read(reader), "card-test-read"))
        self.panel(*rows, self.test_read_button, self.switch_button(DeviceKind.CARD_READER))
        result = self.results.get("card")
        if result:
            rows = [line(self.app.t("tech.test_ok" if result["ok"] else "tech.test_failed"),
                         "ok" if result["ok"] else "error"),
                    line(self.app.t("tech.atr", atr=result.get("atr") or "-"), size=th.FONT_SMALL)]
            if result.get("error"):
                rows.append(line(self.app.t("tech.last_error", error=result["error"]), "error", size=th.FONT_SMALL))
            rows.append(line(self.app.t("tech.apdu_log"), size=th.FONT_SMALL))
            for entry in result.get("apdu_log", []):
                rows.append(line(entry, "muted", size=th.FONT_SMALL))
            self.panel(*rows)

    # -- camera -----------------------------------------------------------------------------------

    def tab_camera(self) -> None:
        qr = self.device(DeviceKind.QR_SOURCE)
        self.panel(section_title(self.app.t("tech.tab.camera")), *status_lines(self.app, qr.status if qr else None))
        if qr is None:
            return
        if not qr.running:
            qr.start(lambda scan: None)  # technician mode: scans are counted, never used
            self.started_qr = True
        t = th.get_theme()
        self.preview_image = Picture(size_hint_y=None, height=t.px(360), fit_mode="contain")
        self.measure_button = self.button("tech.measure", lambda: self.measured(
            "camera", lambda: diagnostics.camera_report(qr, seconds=2.0), "camera-measure"))
        rows = []
        result = self.results.get("camera")
        if result is not None:
            if result.get("camera"):
                rows.append(line(self.app.t("tech.camera_rates", fps=result.get("fps", "-"),
                                            rate=result.get("decode_rate", "-"),
                                            ms=result.get("avg_decode_ms") or "-"), size=th.FONT_SMALL))
            else:
                rows.append(line(self.app.t("tech.no_camera"), "muted", size=th.FONT_SMALL))
            rows.append(line(self.app.t("tech.scans", count=result.get("scans", 0)), size=th.FONT_SMALL))
        self.panel(self.preview_image, *rows, self.measure_button, self.switch_button(DeviceKind.QR_SOURCE))
        if self.preview_event is None:
            self.preview_event = Clock.schedule_interval(self._update_preview, 0.2)

    def _update_preview(self, _dt) -> None:
        qr = self.device(DeviceKind.QR_SOURCE)
        if qr is None or self.preview_image is None:
            return
        try:
            got = qr.preview()
        except Exception:  # noqa: BLE001
            return
        if not got:
            return
        frame = got[0]
        import cv2
        from kivy.graphics.texture import Texture

        h, w = frame.shape[:2]
        scale = 480.0 / max(w, 1)
        small = cv2.resize(frame, (max(1, int(w * scale)), max(1, int(h * scale))))
        if small.ndim == 2:
            small = cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)
        small = cv2.flip(small, 0)
        tex = Texture.create(size=(small.shape[1], small.shape[0]), colorfmt="bgr")
        tex.blit_buffer(small.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
        self.preview_image.texture = tex

    def _stop_preview(self) -> None:
        if self.preview_event is not None:
            self.preview_event.cancel()
            self.preview_event = None
        self.preview_image = None
        if self.started_qr:
            qr = self.device(DeviceKind.QR_SOURCE)
            if qr is not None:
                qr.stop()
            self.started_qr = False

    # -- printer ----------------------------------------------------------------------------------

    def tab_printer(self) -> None:
        printer = self.device(DeviceKind.PRINTER)
        self.panel(section_title(self.app.t("tech.tab.printer")),
                   *status_lines(self.app, printer.status if printer else None))
        if printer is None:
            return
        last = getattr(printer, "last_status", None)
        sensor = last.describe() if last is not None else self.app.t("tech.no_answer")
        self.printer_check_button = self.button("tech.printer_check", lambda: self.measured(
            "printer", lambda: diagnostics.printer_report(printer), "printer-check"), kind="secondary")
        self.test_page_button = self.button("tech.test_page", lambda: self.measured(
            "printer_page", lambda: self.app.staff.print_self_test(self.app.translator.lang), "self-test"))
        self.cut_button = self.button("tech.cut", lambda: self.measured(
            "printer_cut", lambda: diagnostics.printer_cut(printer), "printer-cut"), kind="secondary")
        rows = [line(self.app.t("tech.paper_sensor", sensor=sensor), size=th.FONT_SMALL)]
        page = self.results.get("printer_page")
        if page:
            rows.append(line(self.app.t("tech.test_page_done" if page["ok"] else "tech.test_failed"),
                             "ok" if page["ok"] else "error"))
        cut = self.results.get("printer_cut")
        if cut:
            rows.append(line(self.app.t("tech.cut_done" if cut["ok"] else "tech.test_failed"),
                             "ok" if cut["ok"] else "error"))
        self.panel(*rows, self.printer_check_button, self.test_page_button, self.cut_button,
                   self.switch_button(DeviceKind.PRINTER))

    # -- gateway ----------------------------------------------------------------------------------

    def _gateway_check(self) -> dict:
        client = self.core.gateway.wait()
        return diagnostics.gateway_report(client, self.core.board, self.app.staff.outbox, self.core.settings)

    def tab_gateway(self) -> None:
        self.panel(section_title(self.app.t("tech.tab.gateway")),
                   *status_lines(self.app, self.core.board.get(DeviceKind.GATEWAY)))
        self.gateway_button = self.button("tech.gateway_check", lambda: self.measured("gateway", self._gateway_check,
                                                                                      "gateway-check"))
        rows = []
        gw = self.results.get("gateway")
        if gw:
            rows.append(line(self.app.t("tech.reachable" if gw.get("reachable") else "tech.unreachable"),
                             "ok" if gw.get("reachable") else "error"))
            if gw.get("latency_ms") is not None:
                rows.append(line(self.app.t("tech.latency", ms=gw["latency_ms"]), size=th.FONT_SMALL))
            cert = gw.get("certificate") or {}
            if cert.get("days_left") is not None:
                rows.append(line(self.app.t("tech.cert_days", days=cert["days_left"], date=cert["not_after"]),
                                 "error" if cert["days_left"] < 14 else "text", size=th.FONT_SMALL))
            elif not cert.get("tls"):
                rows.append(line(self.app.t("tech.cert_none"), "muted", size=th.FONT_SMALL))
        ob = self.app.staff.outbox_state()
        if ob.get("available"):
            rows.append(line(self.app.t("staff.outbox_depth", count=ob["depth"]), size=th.FONT_SMALL))
            rows.append(line(self.app.t("staff.outbox_last_error", error=ob["last_error"] or "-"), "muted",
                             size=th.FONT_SMALL))
        if ob.get("problem"):  # the outbox key: what would stop the next start
            rows.append(line(ob["problem"], "error", size=th.FONT_SMALL))
        self.outbox_retry_button = self.button("staff.outbox_retry", lambda: self.measured(
            "outbox", self.app.staff.retry_outbox, "outbox-retry"), kind="secondary")
        self.panel(*rows, self.gateway_button, self.outbox_retry_button)

    # -- system -----------------------------------------------------------------------------------

    def tab_system(self) -> None:
        s = diagnostics.system_report(self.core.settings)
        mb = lambda v: "-" if v is None else f"{v // (1024 * 1024):,}".replace(",", ".")  # noqa: E731
        hours = lambda v: "-" if v is None else f"{v / 3600:.1f}"  # noqa: E731
        self.panel(section_title(self.app.t("tech.tab.system")),
                   line(self.app.t("tech.version", version=s["version"], kiosk=s["kiosk_id"])),
                   line(self.app.t("tech.disk", free=mb(s["disk_free_bytes"]), total=mb(s["disk_total_bytes"])),
                        "error" if s["disk_low"] else "text"),
                   line(self.app.t("tech.memory", free=mb(s["memory_available_bytes"]),
                                   total=mb(s["memory_total_bytes"]))),
                   line(self.app.t("tech.uptime", system=hours(s["system_uptime_s"]),
                                   kiosk=hours(s["kiosk_uptime_s"]))))
        rows = [line(self.app.t("tech.log_tail"), size=th.FONT_SMALL)]
        tail = diagnostics.log_tail(self.core.settings, 15)
        if not tail:
            rows.append(line(self.app.t("tech.log_empty"), "muted", size=th.FONT_SMALL))
        for rec in tail:
            extra = " ".join(f"{k}={rec[k]}" for k in rec if k not in ("t", "level", "logger", "event"))
            rows.append(line(f"{str(rec.get('t', ''))[11:19]} {rec.get('level', '')} {rec.get('logger', '')}: "
                             f"{rec.get('event', '')} {extra}".strip(), "muted", size=th.FONT_SMALL * 0.8))
        self.panel(*rows)

    # -- actions ----------------------------------------------------------------------------------

    def tab_actions(self) -> None:
        self.bundle_buttons = []
        rows = [section_title(self.app.t("tech.bundle_title")),
                line(self.app.t("tech.bundle_hint"), "muted", size=th.FONT_SMALL)]
        result = self.results.get("bundle")
        if result:
            done = line(self.app.t("tech.bundle_done", folder=result["folder"]), "ok", size=th.FONT_SMALL)
            wrap_paths(done)
            rows.append(done)
        for target in bundle_targets(self.core.settings):
            b = self.button("tech.bundle_to", lambda d=target: self.export(d), kind="secondary", target=str(target))
            wrap_paths(b)  # a long folder path goes on to the next line after a '/'
            self.bundle_buttons.append(b)
            rows.append(b)
        self.panel(*rows)
        self.self_test_button = self.button("tech.test_page", lambda: self.measured(
            "printer_page", lambda: self.app.staff.print_self_test(self.app.translator.lang), "self-test"))
        page = self.results.get("printer_page")
        rows = [section_title(self.app.t("tech.self_test_title"))]
        if page:
            rows.append(line(self.app.t("tech.test_page_done" if page["ok"] else "tech.test_failed"),
                             "ok" if page["ok"] else "error"))
        self.panel(*rows, self.self_test_button)

    def export(self, dest: Path) -> None:
        gateway = self.results.get("gateway")
        self.measured("bundle", lambda: {"folder": str(self.app.staff.export_bundle(dest, gateway=gateway))},
                      "bundle-export")

    # -- leaving ----------------------------------------------------------------------------------

    def leave(self) -> None:
        self._stop_preview()
        self.app.staff.leave()
        self.core.reset("technician-left")

    def exit_kiosk(self) -> None:
        """Asks first: a tap by mistake would leave the post office without its kiosk."""
        self.app.confirm_dialog.ask("confirm_exit", title="confirm.exit.title", body="confirm.exit.body",
                                    stay="confirm.exit.stay", go="confirm.exit.go", on_go=self._exit_now)

    def _exit_now(self) -> None:
        self._stop_preview()
        self.app.staff.exit_kiosk()

    def on_leave(self, *a):
        self._stop_preview()

    def wipe(self) -> None:
        super().wipe()
        self.results = {}
        self._stop_preview()
