"""The one helper each for what receipts, logs and screens share (kiosk.text): masking, NFC,
money, dates and localized names."""

from __future__ import annotations

import datetime as dt
import logging
import time
import unicodedata
from types import SimpleNamespace

from kiosk import text
from kiosk.text import format_date, format_datetime, format_vnd, localized, mask_numbers, nfc


def test_mask_numbers_masks_id_shaped_runs_only():
    assert mask_numbers("card 001234567889 read") == "card 0012******89 read"
    assert mask_numbers("old id 123456789.") == "old id 12******9."
    assert mask_numbers("ten 1234567890 and thirteen 1234567890123") == "ten 1234567890 and thirteen 1234567890123"


def test_logs_and_diagnostics_mask_with_the_same_helper():
    from kiosk import diagnostics, logs

    assert diagnostics.mask_numbers is text.mask_numbers
    record = logging.LogRecord("kiosk.x", logging.INFO, "", 0, "read %s", ("079123456789",), None)
    logs.RedactingFilter().filter(record)
    assert record.getMessage() == "read 0791******89"


def test_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert nfc(decomposed) == "Nguyễn" and len(nfc(decomposed)) == 6
    assert nfc(None) == "" and nfc(42) == "42"


def test_format_vnd():
    assert format_vnd(1250000, "vi") == "1.250.000"
    assert format_vnd(1250000, "en") == "1,250,000"


def test_dates_for_screens_and_paper():
    day, when = dt.date(2026, 12, 9), dt.datetime(2026, 11, 29, 14, 5)
    assert format_date(day, "vi") == "09/12/2026"
    assert format_date(day, "en") == "09 Dec 2026"
    assert format_date(day, "en", numeric=True) == "09/12/2026"
    assert format_date("2026-12-09T10:00:00Z", "vi") == "09/12/2026"
    assert format_date("soon", "vi") == "soon"
    assert format_date(time.struct_time((2026, 1, 2, 0, 0, 0, 4, 2, -1)), "en") == "02 Jan 2026"
    assert format_date(None, "vi") == format_datetime(None, "vi") == "-"
    assert format_datetime(when, "vi") == "14:05 · 29/11/2026"
    assert format_datetime(when, "en") == "14:05 · 29 Nov 2026"
    assert format_datetime(when, "en", numeric=True, sep=" ") == "14:05 29/11/2026"
    aware = dt.datetime(2026, 11, 29, 7, 5, tzinfo=dt.UTC)
    assert format_datetime(aware, "vi") == format_datetime(aware.astimezone().replace(tzinfo=None), "vi")
    assert format_datetime("2026-11-29T14:05:00", "vi") == "14:05 · 29/11/2026"


def test_localized_falls_back_to_vietnamese():
    proc = SimpleNamespace(name_vi="Đăng ký khai sinh", name_en="Birth registration", agency_vi="UBND", agency_en="")
    assert localized(proc, "name", "en") == "Birth registration"
    assert localized(proc, "name", "vi") == "Đăng ký khai sinh"
    assert localized(proc, "agency", "en") == "UBND"
    assert localized(proc, "missing", "en") == "" and localized(None, "name", "vi") == ""
