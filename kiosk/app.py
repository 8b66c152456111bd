"""The Kivy app: builds the window and screens and wires them to the core.

Kivy is imported only here, in ``screens/`` and in ``widgets/``.  Call ``prepare_kivy()``
before anything imports Kivy: it sets the window size, fullscreen and lockdown options.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from kiosk import text
from kiosk.config import Settings
from kiosk.memory import release_after_session

log = logging.getLogger("kiosk.app")


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def prepare_kivy(settings: Settings, *, size: tuple[int, int] | None = None, fullscreen: bool | None = None,
                 headless: bool = False) -> None:
    """Configure Kivy before its first import (window size, fullscreen, no Escape exit).

    Lockdown: Kivy's own user configuration (``KIVY_HOME/config.ini``), ``KCFG_*`` variables and
    command-line options are never read, and nothing is written back: kiosk.ini alone decides
    (a rotation, an inspector module or a keyboard mode put there by anyone is ignored).  No
    Kivy module (inspector, console, keybinding's F11/F12, monitor...) is ever started."""
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_NO_CONFIG"] = "1"
    os.environ["KIVY_NO_ENV_CONFIG"] = "1"
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # SDL turns SIGTERM into a window close request (refused while locked): the kiosk handles
    # its stop signals itself (install_stop_signals)
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    kivy_home = settings.data_dir / "kivy"
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_HOME", str(kivy_home))
    if headless or not has_display():
        # Render with Mesa into an offscreen surface: screenshots and tests need no display.
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kivy.config import Config

    w, h = size or settings.kiosk.screen_size
    full = settings.kiosk.fullscreen if fullscreen is None else fullscreen
    Config.set("graphics", "width", str(w))
    Config.set("graphics", "height", str(h))
    Config.set("graphics", "fullscreen", "auto" if full else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "show_cursor", "0" if full else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "log_level", "debug" if settings.kiosk.log_level == "debug" else "warning")
    # in case Kivy was imported before this ran (and read a config.ini): kiosk.ini wins anyway
    Config.set("graphics", "rotation", "0")
    Config.set("kivy", "keyboard_mode", "")
    for name in list(Config.options("modules")):
        Config.remove_option("modules", name)
    Config.filename = None  # Config.write() (the settings panel's "save") writes nothing


def build_app(settings: Settings, **kw):
    """Import Kivy (after prepare_kivy) and make the app."""
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.floatlayout import FloatLayout

    from kiosk.i18n import Translator
    from kiosk.idle import IdlePhase
    from kiosk.runtime import Runtime
    from kiosk.screens import EXTENSIONS, SCREENS
    from kiosk.widgets import theme as th
    from kiosk.widgets.bars import NavBar, StatusBar, TimeoutDialog
    from kiosk.widgets.common import WindowBackground
    from kiosk.widgets.confirm import ConfirmDialog
    from kiosk.widgets.manager import DipTransition, Screens

    class KioskApp(App):
        title = "Kiosk"
        use_kivy_settings = False  # no Kivy panel (fullscreen, rotation, logging, keyboard mode)

        def __init__(self, settings: Settings, *, devices=None, gateway=None, idle_clock=None,
                     runtime: Runtime | None = None, locked: bool | None = None, fade_seconds: float = 0.2,
                     on_first_frame: Callable | None = None):
            super().__init__()
            self.settings = settings
            self._devices = devices
            self._gateway = gateway
            self._idle_clock = idle_clock
            self.runtime = runtime
            self.locked = settings.kiosk.fullscreen if locked is None else locked
            self.fade_seconds = fade_seconds  # the screen-change fade (the driver shortens it)
            self.on_first_frame = on_first_frame
            self._allow_exit = False
            self._stopping_on_signal = False
            self.screens: dict = {}
            self.timeout_dialog = None
            self.confirm_dialog = None
            self.help_panel = None
            self.access_panel = None
            # widgets the extensions add (kiosk.screens.EXTENSIONS)
            self.staff_badge = self.staff_control = self.refresh_badge = self.technician_corner = None
            self.speaker = self.speech_bar = self.speech_bar_open = self.speech = None

        # -- what the runtime built ---------------------------------------------------------

        @property
        def journeys(self):
            return self.runtime.journeys

        @property
        def staff(self):
            return self.runtime.staff

        @property
        def audit(self):
            return self.runtime.audit

        @property
        def outbox(self):
            return self.runtime.outbox

        @property
        def metrics(self):
            return self.runtime.metrics

        @property
        def metrics_server(self):
            return self.runtime.metrics_server

        # -- building ---------------------------------------------------------------------

        def build(self):
            self.translator = Translator(self.settings.kiosk.language)
            self.theme = th.get_theme()
            if self.runtime is None:
                self.runtime = Runtime(self.settings, devices=self._devices, gateway=self._gateway,
                                       dispatch=self.run_on_ui, idle_clock=self._idle_clock)
            self.runtime.core.worker.dispatch = self.run_on_ui
            self.runtime.on_exit(self.exit_kiosk)
            self.core = self.runtime.core
            self.core.subscribe(self._on_core_event)
            root = FloatLayout()
            self.window_background = WindowBackground()
            frame = BoxLayout(orientation="vertical")
            self.status_bar = StatusBar(self)
            self.manager = Screens(transition=DipTransition(duration=self.fade_seconds))
            self.nav = NavBar(self)
            frame.add_widget(self.status_bar)
            frame.add_widget(self.manager)
            frame.add_widget(self.nav)
            root.add_widget(frame)
            self.frame = frame
            self.timeout_dialog = TimeoutDialog(self)
            self.confirm_dialog = ConfirmDialog(self)
            self.translator.subscribe(lambda _lang: self.relabel())
            self.core.board.subscribe(lambda status: self.run_on_ui(lambda: self.status_bar.show(status)))
            for status in self.core.board.all():
                self.status_bar.show(status)
            Window.bind(on_request_close=self._on_request_close, on_keyboard=self._on_keyboard)
            Window.bind(on_touch_down=self._on_any_touch)
            Clock.schedule_interval(self._tick, 0.25)
            Clock.schedule_interval(self.status_bar.tick, 10)
            self.root_layout = root
            for install in EXTENSIONS:
                install(self)
            self.runtime.start_metrics()
            self._start_watchdog()
            self.show_step("attract")
            self.relabel()
            return root

        def _start_watchdog(self) -> None:
            """systemd's watchdog, pinged from the UI thread's clock: a frozen UI stops the pings
            and systemd restarts the kiosk."""
            from kiosk import watchdog

            if not watchdog.enabled():
                return
            Clock.schedule_once(lambda dt: watchdog.ready(), 0.5)
            interval = watchdog.interval()
            if interval:
                Clock.schedule_interval(lambda dt: watchdog.ping(), interval)
            Clock.schedule_interval(lambda dt: watchdog.status(self.runtime.watchdog_status()), 30)
            self.bind(on_stop=lambda *_: watchdog.stopping())

        def on_start(self):
            if self.on_first_frame is not None:
                def flipped(*_):
                    Window.unbind(on_flip=flipped)
                    self.on_first_frame(self)
                Window.bind(on_flip=flipped)
            # devices open after the first frame: a slow reader never delays the attract screen
            Clock.schedule_once(lambda dt: self.core.run(self.core.devices.open_all, "open-devices"), 0)
            # Python's full garbage collections walk every object; on the UI thread one showed up
            # as a 60-140 ms frame in the middle of a journey (kiosk bench journeys).  What exists
            # at start-up lives as long as the kiosk, so it is frozen out of those walks, and the
            # garbage a citizen's screens leave is collected as they go (see _after_reset).
            Clock.schedule_once(lambda dt: (gc.collect(), gc.freeze()), 0)
            self._collected_at = time.monotonic()
            self._collect_garbage = Clock.create_trigger(self._collect_after_session, 0)

        def _collect_after_session(self, _dt) -> None:
            # at most twice a minute: sessions minutes apart each get one, quick resets share it;
            # the garbage goes, then the heap pages it freed go back to the system
            if time.monotonic() - self._collected_at >= 30:
                self._collected_at = time.monotonic()
                release_after_session()

        def on_stop(self):
            self.runtime.stop()

        # -- threads ----------------------------------------------------------------------

        def run_on_ui(self, fn: Callable[[], None]) -> None:
            """Run ``fn`` on the UI thread (safe to call from any thread)."""
            Clock.schedule_once(lambda dt: fn(), 0)

        # -- language and text ------------------------------------------------------------

        def t(self, key: str, lang: str | None = None, **fmt) -> str:
            return self.translator.t(key, lang=lang, **fmt)

        def relabel(self) -> None:
            self.status_bar.relabel()
            self.nav.relabel()
            self.timeout_dialog.relabel()
            self.confirm_dialog.relabel()
            if self.help_panel is not None:
                self.help_panel.relabel()
            if self.access_panel is not None:
                self.access_panel.relabel()
            for screen in self.screens.values():
                screen.relabel()

        def set_language(self, lang: str, start: bool = False) -> None:
            self.translator.set_language(lang)
            self.core.set_language(lang)
            if start:
                self.start_session()

        def toggle_language(self) -> None:
            self.set_language("en" if self.translator.lang == "vi" else "vi")

        def toggle_large_text(self) -> None:
            scale = self.settings.accessibility.large_text_scale
            self.theme.text_scale = 1.0 if self.theme.text_scale > 1 else scale
            self.nav.relabel()

        def toggle_high_contrast(self) -> None:
            """White and yellow on black (every widget restyles from the theme's palette)."""
            self.theme.high_contrast = not self.theme.high_contrast

        def open_access_panel(self) -> None:
            """'Easier to see': larger text and high contrast, one big button each."""
            from kiosk.widgets.access import AccessPanel

            if self.access_panel is None:
                self.access_panel = AccessPanel(self)
            self.access_panel.relabel()
            if not self.access_panel.parent:
                self.access_panel.open(animation=False)

        def format_date(self, value) -> str:
            return text.format_date(value, self.translator.lang)

        def format_datetime(self, value) -> str:
            return text.format_datetime(value, self.translator.lang)

        # -- navigation -------------------------------------------------------------------

        def screen(self, name: str):
            if name not in self.screens:
                screen = SCREENS[name](self, name=name)
                self.screens[name] = screen
                self.manager.add_widget(screen)
            return self.screens[name]

        def show_step(self, name: str) -> None:
            screen = self.screen(name)
            self.manager.current = name
            # the attract screen has its own language and text-size buttons: no navigation bar
            if name == "attract" and self.nav.parent:
                self.frame.remove_widget(self.nav)
            elif name != "attract" and not self.nav.parent:
                self.frame.add_widget(self.nav)
            self.nav.back.disabled = name in ("attract", "menu") or (
                self.core.journey is not None and not self.core.can_go_back())
            self.nav.relabel_help()
            screen.enter()

        @property
        def current(self) -> str:
            return self.manager.current

        def start_session(self) -> None:
            self.core.begin()

        def start_journey(self, name: str) -> None:
            self.core.start_journey(name)

        def go_back(self) -> None:
            """Back a step; leaving a journey that holds work asks first, as "home" does; after an
            irreversible step there is no back (the control is off)."""
            if self.core.journey is not None and not self.core.can_go_back():
                return
            if self.core.back_leaves_journey() and self.core.work_at_stake():
                self.confirm_leave("confirm_back")
                return
            self.core.back()

        def go_home(self) -> None:
            """The menu; a journey that holds work (a form filled, a card read) is wiped only
            after the citizen said so."""
            if self.core.work_at_stake():
                self.confirm_leave("confirm_home")
                return
            self.core.home()

        def confirm_leave(self, name: str) -> None:
            journey = self.core.work_at_stake() or "other"
            body = f"confirm.lost.{journey}"
            if journey not in ("lookup", "identify", "submit", "pay", "delivery"):
                body = "confirm.lost.other"
            self.confirm_dialog.ask(name, title="confirm.leave.title", body=body, stay="confirm.stay",
                                    go="confirm.wipe_home", on_go=self.core.home)

        def call_staff(self) -> None:
            """Help over the current screen: the session and the screen stay as they are."""
            from kiosk.screens.help import HelpPanel

            if self.help_panel is None:
                self.help_panel = HelpPanel(self)
            self.help_panel.show()

        def _on_core_event(self, event: str, value) -> None:
            if event == "step":
                self.show_step(value)
            elif event == "wiped":
                for screen in self.screens.values():
                    screen.wipe()
            elif event == "reset":
                self._after_reset()
            elif event == "way_back":
                self.nav.back.disabled = not self.core.can_go_back()
            elif event == "help":
                self.nav.relabel_help()

        def _after_reset(self) -> None:
            if self.timeout_dialog.parent:
                self.timeout_dialog.dismiss(animation=False)
            self.confirm_dialog.close()
            if self.help_panel is not None:
                self.help_panel.wipe()
            if self.access_panel is not None and self.access_panel.parent:
                self.access_panel.dismiss(animation=False)
            for screen in self.screens.values():
                screen.wipe()
            self.theme.text_scale = 1.0
            self.theme.high_contrast = False
            self.translator.set_language(self.settings.kiosk.language)
            self.show_step("attract")
            collect = getattr(self, "_collect_garbage", None)
            if collect is not None:
                collect()  # the next frame, on the attract screen: nobody is touching the kiosk

        # -- idle -------------------------------------------------------------------------

        def _on_any_touch(self, _window, _touch):
            self.core.idle.touch()
            return False

        def _tick(self, _dt) -> None:
            phase = self.core.idle_tick()
            if phase is IdlePhase.WARNING:
                self.timeout_dialog.update(self.core.idle.status().remaining)
                if not self.timeout_dialog.parent:
                    self.timeout_dialog.open(animation=False)
            elif self.timeout_dialog.parent and phase is not IdlePhase.EXPIRED:
                self.timeout_dialog.dismiss(animation=False)

        # -- lockdown ---------------------------------------------------------------------

        def _on_request_close(self, *_args, **_kw) -> bool:
            """Alt+F4 and the window's close button do nothing while locked down."""
            if self.locked and not self._allow_exit:
                log.info("close request refused (locked down)")
                return True
            return False

        def _on_keyboard(self, _window, key, _scancode=None, _codepoint=None, modifiers=None, *_args) -> bool:
            if key == 27:  # Escape (and Android back): swallowed, never exits
                return True
            if self.locked and (282 <= key <= 293 or set(modifiers or ()) & {"ctrl", "alt", "meta"}):
                return True  # F1-F12 and shortcuts never reach Kivy (settings, rotation, inspector)
            return False

        def exit_kiosk(self) -> None:
            """The only way out of a locked-down kiosk (technician mode calls this)."""
            self._allow_exit = True
            self.stop()

        # Kivy's settings panel (F1) never opens, and its app config file is never written
        def _install_settings_keys(self, window) -> None:
            pass

        def open_settings(self, *_args) -> bool:
            log.info("settings panel refused (locked down)")
            return False

        def get_application_config(self, defaultpath=None):
            return None

        # -- stopping on a signal (systemctl stop) -------------------------------------------

        def install_stop_signals(self) -> None:
            """SIGTERM (systemd's stop) and SIGINT end the kiosk cleanly: the session is wiped,
            the outbox closed, exit status 0.  A person at the screen still cannot close it."""
            import signal

            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._on_stop_signal)

        def _on_stop_signal(self, signum, _frame) -> None:
            if self._stopping_on_signal:
                return
            self._stopping_on_signal = True
            self._allow_exit = True
            import signal

            log.info("stop signal received", extra={"signal": signal.Signals(signum).name})
            Clock.schedule_once(lambda _dt: self._stop_on_signal(), 0)

        def _stop_on_signal(self) -> None:
            try:
                self.core.reset("shutdown")
                log.info("session wiped before stopping")
            finally:
                self.stop()

    return KioskApp(settings, **kw)


def run(settings: Settings, *, windowed: bool = False, size=None, on_first_frame=None) -> int:
    from kiosk import logs

    logs.setup(settings.data_dir, settings.kiosk.log_level, settings.privacy.log_retention_days)
    # connection chatter (URLs of every call) is for debugging sessions only, not the console
    if settings.kiosk.log_level != "debug":
        logging.getLogger("urllib3").setLevel(logging.WARNING)
    prepare_kivy(settings, size=size, fullscreen=False if windowed else None)
    app = build_app(settings, locked=False if windowed else None, on_first_frame=on_first_frame)
    app.install_stop_signals()
    pidfile = _write_pidfile()
    log.info("kiosk starting", extra={"kiosk_id": settings.kiosk.kiosk_id, "windowed": windowed})
    try:
        app.run()
    finally:
        if pidfile is not None:
            pidfile.unlink(missing_ok=True)
    log.info("kiosk stopped")
    return 0


def _write_pidfile() -> Path | None:
    """``$RUNTIME_DIRECTORY/kiosk.pid`` under systemd: the unit's ExecStop signals the app itself
    (not the compositor around it) and waits for its clean exit."""
    folder = os.environ.get("RUNTIME_DIRECTORY")
    if not folder:
        return None
    path = Path(folder.split(":")[0]) / "kiosk.pid"
    try:
        path.write_text(f"{os.getpid()}\n", encoding="ascii")
    except OSError:
        log.warning("pid file not written", extra={"path": str(path)})
        return None
    return path


def data_path(settings: Settings, *parts: str) -> Path:
    path = settings.data_dir.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
