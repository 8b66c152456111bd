"""Structured logging to rotating files in the data folder, never with personal data.

Every record is one JSON object per line: time, level, logger, event, plus the ``extra``
fields the caller gave.  Code must not log personal data in the first place; as a second line
of defence a filter masks anything shaped like a 12-digit ID or 9-digit old ID number.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import time
from pathlib import Path

from kiosk.text import mask_numbers as _mask_numbers

_STD = set(vars(logging.LogRecord("x", 0, "", 0, "", None, None))) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Masks ID-shaped numbers in the message as it will be written: the ``%s`` arguments are
    merged into it first, whatever their type (a string, an int, a dict for ``%(name)s``, an
    object whose ``str()`` holds a number), so none slips through unmasked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: keep its parts, masked
            message = f"{record.msg} {record.args!r}"
        record.msg = _mask_numbers(message)
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "t": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (int, float, bool, type(None))) else _mask_numbers(str(value))
        if record.exc_info:
            entry["exc"] = _mask_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def log_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "logs"


def setup(data_dir: Path, level: str = "info", retention_days: int = 30) -> Path:
    """Send the ``kiosk`` loggers to data_dir/logs/kiosk.log (daily rotation)."""
    folder = log_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.log"
    handler = logging.handlers.TimedRotatingFileHandler(
        path, when="midnight", backupCount=retention_days, encoding="utf-8", utc=True
    )
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("kiosk")
    for old in list(root.handlers):
        if getattr(old, "_kiosk_handler", False):
            root.removeHandler(old)
            old.close()
    handler._kiosk_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))
    root.propagate = False
    return path
