"""kiosk.ini → validated, typed settings.

The schema below is the single source of truth: the shipped kiosk.ini is checked against it,
and every problem in a file is reported as ``section.key: expected …, found …`` so a
technician can fix them all in one pass.  A file with any problem is refused as a whole: the
kiosk never starts on half-understood settings.
"""

from __future__ import annotations

import configparser
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_CONFIG = "KIOSK_CONFIG"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "kiosk.ini"


class ConfigError(Exception):
    """A configuration file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: str | os.PathLike | None, problems: list[str]):
        self.path = str(path) if path is not None else None
        self.problems = problems
        head = f"{self.path}: " if self.path else ""
        super().__init__(head + f"{len(problems)} problem(s):\n  " + "\n  ".join(problems))


# ---------------------------------------------------------------------------------------------
# Field types.  Each parser returns the typed value or raises ValueError("expected …").


@dataclass(frozen=True)
class Key:
    parse: Callable[[str], Any]
    default: str | None  # None: required, no default
    doc: str = ""


def _describe(raw: str) -> str:
    return repr(raw) if raw != "" else "an empty value"


def p_str(max_len: int = 200, pattern: str | None = None, allow_empty: bool = True):
    rx = re.compile(pattern) if pattern else None

    def parse(raw: str) -> str:
        if not raw and not allow_empty:
            raise ValueError("expected a non-empty text")
        if len(raw) > max_len:
            raise ValueError(f"expected at most {max_len} characters")
        if rx and raw and not rx.fullmatch(raw):
            raise ValueError(f"expected text matching {pattern}")
        return raw

    return parse


def p_int(lo: int, hi: int):
    def parse(raw: str) -> int:
        try:
            value = int(raw, 0)
        except ValueError:
            raise ValueError(f"expected a whole number from {lo} to {hi}") from None
        if not lo <= value <= hi:
            raise ValueError(f"expected a whole number from {lo} to {hi}")
        return value

    return parse


def p_float(lo: float, hi: float):
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"expected a number from {lo:g} to {hi:g}") from None
        if not lo <= value <= hi:
            raise ValueError(f"expected a number from {lo:g} to {hi:g}")
        return value

    return parse


_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}


def p_bool(raw: str) -> bool:
    low = raw.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError("expected yes or no")


def p_choice(*choices: str):
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError("expected one of " + ", ".join(choices))
        return raw

    return parse


def p_size(raw: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{3,5})x(\d{3,5})", raw)
    if not m:
        raise ValueError("expected WIDTHxHEIGHT in pixels, such as 1080x1920")
    w, h = int(m.group(1)), int(m.group(2))
    if not (320 <= w <= 7680 and 320 <= h <= 7680):
        raise ValueError("expected each side from 320 to 7680 pixels")
    return w, h


def p_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def p_hostlist(raw: str) -> tuple[str, ...]:
    hosts = p_list(raw.lower())
    for h in hosts:
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*", h):
            raise ValueError("expected a comma-separated list of host names")
    return hosts


def p_hex16(raw: str) -> int:
    try:
        value = int(raw, 16)
    except ValueError:
        raise ValueError("expected a 4-digit hexadecimal id such as 0x0416") from None
    if not 0 <= value <= 0xFFFF:
        raise ValueError("expected a 4-digit hexadecimal id such as 0x0416")
    return value


def p_url_or_embedded(raw: str) -> str:
    if raw == "embedded":
        return raw
    if not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+(:\d{1,5})?(/[A-Za-z0-9._~/\-]*)?", raw):
        raise ValueError("expected 'embedded' or an http(s) URL such as https://gateway.example/api")
    return raw.rstrip("/")


# Keys of a tactile keypad ([accessibility] key_*): names as Kivy reports them (SDL key codes).
KEY_NAMES: dict[str, int] = {
    "up": 273, "down": 274, "right": 275, "left": 276, "enter": 13, "numpadenter": 271, "backspace": 8,
    "escape": 27, "tab": 9, "spacebar": 32, "delete": 127, "insert": 277, "home": 278, "end": 279,
    "pageup": 280, "pagedown": 281, "numpadadd": 270, "numpadsubtract": 269, "numpadsubstract": 269,
    "numpadmul": 268, "numpaddivide": 267, "numpaddecimal": 266, "+": 43, "-": 45, "=": 61, "*": 42, "/": 47,
    **{f"f{n}": 281 + n for n in range(1, 16)}, **{f"numpad{n}": 256 + n for n in range(10)},
    **{str(n): 48 + n for n in range(10)}, **{chr(c): c for c in range(ord("a"), ord("z") + 1)},
}
KEYPAD_ACTIONS = ("up", "down", "left", "right", "ok", "back", "help", "repeat", "volume_up", "volume_down")


def p_keys(raw: str) -> tuple[int, ...]:
    """Space-separated key names (``enter numpadenter``) → their key codes; empty: no key."""
    names = raw.lower().split()
    unknown = [n for n in names if n not in KEY_NAMES]
    if unknown:
        raise ValueError("expected key names such as up, enter, backspace, f2, numpadadd "
                         f"(unknown: {' '.join(unknown)})")
    return tuple(dict.fromkeys(KEY_NAMES[n] for n in names))


def keypad_clashes(acc) -> list[str]:
    """One key for two keypad actions is a mistake in the file, not a choice."""
    seen: dict[int, str] = {}
    problems = []
    for action in KEYPAD_ACTIONS:
        for code in getattr(acc, f"key_{action}", ()):
            if code in seen:
                name = next(n for n, c in KEY_NAMES.items() if c == code)
                problems.append(f"accessibility.key_{action}: expected keys no other action uses, found {name!r} "
                                f"also in key_{seen[code]}")
            seen.setdefault(code, action)
    return problems


PIN_HASH_RX = r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+"


def p_pin_hash(raw: str) -> str:
    if raw == "":
        return raw
    if re.fullmatch(r"\d{4,12}", raw):
        raise ValueError("expected a PIN hash from 'kiosk config hash-pin', never the PIN itself")
    if not re.fullmatch(PIN_HASH_RX, raw):
        raise ValueError("expected a hash made by 'kiosk config hash-pin' (scrypt$N$r$p$salt$hash)")
    from kiosk.roles import parse_pin_hash

    try:
        parse_pin_hash(raw)
    except ValueError as exc:
        raise ValueError(f"expected a hash made by 'kiosk config hash-pin', but {exc}") from None
    return raw


# ---------------------------------------------------------------------------------------------
# The schema.  Keep kiosk.ini in the same order with a comment above every key.

SCHEMA: dict[str, dict[str, Key]] = {
    "kiosk": {
        "kiosk_id": Key(p_str(40, r"[A-Za-z0-9][A-Za-z0-9_.-]*", allow_empty=False), None),
        "location_name": Key(p_str(120), "Bưu điện Trung tâm Hà Nội"),
        "data_dir": Key(p_str(400, allow_empty=False), "~/.local/share/kiosk"),
        "language": Key(p_choice("vi", "en"), "vi"),
        "screen_size": Key(p_size, "1080x1920"),
        "fullscreen": Key(p_bool, "yes"),
        "idle_warning_seconds": Key(p_int(10, 900), "90"),
        "idle_reset_seconds": Key(p_int(20, 300), "30"),
        "help_wait_minutes": Key(p_int(1, 60), "15"),
        "log_level": Key(p_choice("debug", "info", "warning", "error"), "info"),
    },
    "devices": {
        "card_reader": Key(p_choice("pcsc", "simulated"), "simulated"),
        "card_reader_pattern": Key(p_str(200), "*"),
        "card_person": Key(p_str(400), ""),
        "card_trust_store": Key(p_str(400), ""),
        "card_access": Key(p_choice("auto", "pace", "bac"), "auto"),
        "qr_source": Key(p_choice("camera", "hid", "serial", "simulated"), "simulated"),
        "qr_camera": Key(p_str(400), "0"),
        "qr_camera_size": Key(p_size, "1280x720"),
        "qr_camera_fps": Key(p_int(1, 60), "15"),
        "qr_hid_device": Key(p_str(400), ""),
        "qr_serial_port": Key(p_str(400), "/dev/ttyACM0"),
        "qr_serial_baud": Key(p_int(1200, 921600), "9600"),
        "qr_simulated_images": Key(p_str(400), ""),
        "qr_lookup_hosts": Key(p_hostlist, "dichvucong.gov.vn, dichvucong.hanoi.gov.vn"),
        "printer": Key(p_choice("usb", "serial", "network", "file", "simulated"), "simulated"),
        "printer_profile": Key(p_str(80, r"[A-Za-z0-9_.-]+", allow_empty=False), "TM-T88V"),
        "printer_paper_mm": Key(p_choice("58", "80"), "80"),
        "printer_text_mode": Key(p_choice("raster", "codepage"), "raster"),
        "printer_usb_vendor": Key(p_hex16, "0x04b8"),
        "printer_usb_product": Key(p_hex16, "0x0202"),
        "printer_serial_port": Key(p_str(400), "/dev/ttyUSB0"),
        "printer_serial_baud": Key(p_int(1200, 921600), "115200"),
        "printer_host": Key(p_str(255), "127.0.0.1"),
        "printer_port": Key(p_int(1, 65535), "9100"),
        "printer_file": Key(p_str(400), "/dev/usb/lp0"),
    },
    "gateway": {
        "url": Key(p_url_or_embedded, "embedded"),
        "connect_timeout": Key(p_float(0.1, 30), "3"),
        "read_timeout": Key(p_float(0.5, 120), "15"),
        "retries": Key(p_int(0, 10), "3"),
        "verify_tls": Key(p_bool, "yes"),
        "ca_bundle": Key(p_str(400), ""),
        "client_cert": Key(p_str(400), ""),
        "client_key": Key(p_str(400), ""),
        "token_file": Key(p_str(400), ""),
        "outbox_key_file": Key(p_str(400), ""),
        "embedded_port": Key(p_int(0, 65535), "0"),
    },
    "staff": {
        "pin_hash": Key(p_pin_hash, ""),
        "max_attempts": Key(p_int(1, 20), "5"),
        "lockout_seconds": Key(p_int(30, 86400), "300"),
    },
    "technician": {
        "pin_hash": Key(p_pin_hash, ""),
        "max_attempts": Key(p_int(1, 20), "5"),
        "lockout_seconds": Key(p_int(30, 86400), "300"),
    },
    "privacy": {
        "require_consent": Key(p_bool, "yes"),
        "show_face": Key(p_bool, "yes"),
        "log_retention_days": Key(p_int(1, 3650), "30"),
        "audit_retention_days": Key(p_int(30, 3650), "365"),
    },
    "audit": {
        "key_file": Key(p_str(400), ""),
    },
    "accessibility": {
        "speech": Key(p_bool, "no"),
        "speech_volume": Key(p_int(0, 200), "100"),
        "large_text_scale": Key(p_float(1.5, 2.5), "1.5"),
        "keypad": Key(p_bool, "yes"),
        "key_up": Key(p_keys, "up"),
        "key_down": Key(p_keys, "down"),
        "key_left": Key(p_keys, "left"),
        "key_right": Key(p_keys, "right"),
        "key_ok": Key(p_keys, "enter numpadenter"),
        "key_back": Key(p_keys, "backspace escape"),
        "key_help": Key(p_keys, "f2 numpadmul"),
        "key_repeat": Key(p_keys, "f3 numpaddivide"),
        "key_volume_up": Key(p_keys, "numpadadd +"),
        "key_volume_down": Key(p_keys, "numpadsubtract -"),
    },
    "metrics": {
        "enabled": Key(p_bool, "no"),
        "host": Key(p_str(255), "127.0.0.1"),
        "port": Key(p_int(1, 65535), "9108"),
    },
}


class Section:
    """Attribute access to one section's typed values."""

    def __init__(self, name: str, values: dict[str, Any]):
        self._name = name
        self._values = dict(values)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"{self._name}.{key}") from None

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:  # pin hashes are secrets of a kind: never print them
        shown = {k: ("<set>" if k == "pin_hash" and v else v) for k, v in self._values.items()}
        return f"Section({self._name}, {shown})"


@dataclass
class Settings:
    path: str | None
    sections: dict[str, Section] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Section:
        sections = self.__dict__.get("sections", {})
        if name in sections:
            return sections[name]
        raise AttributeError(name)

    @property
    def data_dir(self) -> Path:
        raw = self.sections["kiosk"].data_dir
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute() and self.path:
            path = Path(self.path).resolve().parent / path
        return path

    def resolve_path(self, raw: str) -> Path | None:
        """A path from the file, relative to the file's folder; None when empty."""
        if not raw:
            return None
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute() and self.path:
            path = Path(self.path).resolve().parent / path
        return path

    def replace(self, **changes: dict[str, Any]) -> Settings:
        """A copy with some values changed, e.g. ``replace(kiosk={"language": "en"})``."""
        sections = {name: Section(name, sec.as_dict()) for name, sec in self.sections.items()}
        for name, values in changes.items():
            merged = sections[name].as_dict()
            for key in values:
                if key not in SCHEMA[name]:
                    raise KeyError(f"{name}.{key}")
            merged.update(values)
            sections[name] = Section(name, merged)
        return Settings(self.path, sections)


def _read(path: Path) -> tuple[configparser.ConfigParser | None, list[str]]:
    parser = configparser.ConfigParser(interpolation=None, strict=True, default_section="\x00none")
    parser.optionxform = str  # keys are case-sensitive: "Kiosk_ID" is a typo, not an alias
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [f"{path}: the file does not exist"]
    except UnicodeDecodeError as exc:
        return None, [f"{path}: expected UTF-8 text, found undecodable bytes at offset {exc.start}"]
    except OSError as exc:
        return None, [f"{path}: cannot be read ({exc.strerror})"]
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        message = str(exc).replace("\n", " ")
        return None, [f"{path}: not an INI file we can read: {message}"]
    return parser, []


def parse_settings(parser: configparser.ConfigParser, path: str | None = None) -> Settings:
    problems: list[str] = []
    sections: dict[str, Section] = {}
    for name in parser.sections():
        if name not in SCHEMA:
            problems.append(
                f"{name}: expected one of the sections {', '.join(SCHEMA)}, found an unknown section [{name}]"
            )
    for name, keys in SCHEMA.items():
        values: dict[str, Any] = {}
        present = parser[name] if parser.has_section(name) else {}
        for key in present:
            if key not in keys:
                problems.append(f"{name}.{key}: expected one of the keys {', '.join(keys)}, found an unknown key")
        for key, spec in keys.items():
            raw = present.get(key) if present else None
            if raw is None:
                if spec.default is None:
                    problems.append(f"{name}.{key}: expected a value, found none (this key is required)")
                    continue
                raw = spec.default
            raw = raw.strip()
            try:
                values[key] = spec.parse(raw)
            except ValueError as exc:
                problems.append(f"{name}.{key}: {exc}, found {_describe(raw)}")
        sections[name] = Section(name, values)
    if not problems:
        problems += keypad_clashes(sections["accessibility"])
    if problems:
        raise ConfigError(path, problems)
    return Settings(path, sections)


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    return DEFAULT_CONFIG


def load(path: str | os.PathLike | None = None) -> Settings:
    """Load and validate a kiosk.ini; raises ConfigError naming every problem."""
    resolved = config_path(path)
    parser, problems = _read(resolved)
    if parser is None:
        raise ConfigError(resolved, problems)
    return parse_settings(parser, str(resolved))


def from_text(text: str, path: str | None = None) -> Settings:
    parser = configparser.ConfigParser(interpolation=None, strict=True, default_section="\x00none")
    parser.optionxform = str
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ConfigError(path, [f"not an INI file we can read: {exc}"]) from None
    return parse_settings(parser, path)


def defaults(**overrides: dict[str, Any]) -> Settings:
    """Settings with every default and a test kiosk id; handy for tests and tools."""
    settings = from_text("[kiosk]\nkiosk_id = KIOSK-TEST\n")
    return settings.replace(**overrides) if overrides else settings


def iter_keys() -> Iterable[tuple[str, str, Key]]:
    for section, keys in SCHEMA.items():
        for key, spec in keys.items():
            yield section, key, spec


def load_or_exit(path=None) -> Settings:
    """Load kiosk.ini for a command; on a bad file print every problem and exit 2."""
    try:
        return load(path)
    except ConfigError as exc:
        print(f"kiosk: cannot use {exc.path}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from None


# ---------------------------------------------------------------------------------------------
# Production: what a real kiosk must never run with.

DEMO_PINS = ("246810", "135790")  # published in README.md; their hashes ship in kiosk.ini
_TRUST_SUFFIXES = (".pem", ".der", ".crt", ".cer", ".ml")


def production_problems(settings: Settings) -> list[str]:
    """Every reason ``settings`` are demo settings, not a real kiosk's (empty: none)."""
    from kiosk.audit import key_path, key_problem
    from kiosk.roles import verify_pin

    problems: list[str] = []
    for role in ("staff", "technician"):
        stored = getattr(settings, role).pin_hash
        if not stored:
            problems.append(f"{role}.pin_hash: expected a hash of this kiosk's own PIN, found none")
        elif any(verify_pin(pin, stored) for pin in DEMO_PINS):
            problems.append(f"{role}.pin_hash: expected a hash of this kiosk's own PIN, found the published "
                            "demo PIN's (make one with 'kiosk config hash-pin')")
    g = settings.gateway
    if g.url == "embedded":
        problems.append("gateway.url: expected the https URL of the real gateway, found the embedded demo gateway")
    for key in ("card_reader", "qr_source", "printer"):
        if getattr(settings.devices, key) == "simulated":
            problems.append(f"devices.{key}: expected a real device, found 'simulated'")
    if g.url.startswith("http://") and (g.token_file or g.client_cert):
        problems.append("gateway.url: expected https:// when a token or client certificate is sent, found "
                        "plain http:// (the credential would travel readable)")
    if g.url != "embedded" and not (g.token_file or g.client_cert):
        problems.append("gateway.token_file / client_cert: expected a credential for the gateway, found none")
    if not g.verify_tls:
        problems.append("gateway.verify_tls: expected yes, found no (anyone on the way could pose as the gateway)")
    trust = settings.resolve_path(settings.devices.card_trust_store)
    found = 0
    if trust is not None and trust.is_dir():
        found = sum(1 for p in trust.iterdir() if p.suffix.lower() in _TRUST_SUFFIXES and p.stat().st_size)
    elif trust is not None and trust.is_file():
        found = 1 if trust.stat().st_size else 0
    if not found:
        problems.append("devices.card_trust_store: expected the CSCA certificates (or master list) chip ID cards "
                        f"are checked against, found {'nothing set' if trust is None else 'none in ' + str(trust)}")
    key_issue = key_problem(key_path(settings), settings.data_dir)
    if key_issue:
        problems.append(f"audit.key_file: {key_issue}")
    if not settings.kiosk.fullscreen:
        problems.append("kiosk.fullscreen: expected yes (locked down), found no")
    return problems


def is_production(settings: Settings) -> bool:
    """A kiosk whose gateway is not the embedded demo one is a real kiosk."""
    return settings.gateway.url != "embedded"
