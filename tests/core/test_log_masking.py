"""The log file's second line of defence: ID-shaped numbers are masked in what is written,
including ``%s`` / ``%(name)s`` arguments of any type.  A filter that masked only the format
string (or only string arguments) lets ``log.info("card %s", id_number)`` write the number."""

from __future__ import annotations

import json
import logging

import pytest

from kiosk import logs

ID = "279123456789"
OLD_ID = "123456789"


@pytest.fixture
def log_file(tmp_path):
    path = logs.setup(tmp_path, "info")
    yield path
    root = logging.getLogger("kiosk")
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk_handler", False):
            root.removeHandler(handler)
            handler.close()


class Holder:
    def __str__(self) -> str:
        return f"holder of {ID}"


@pytest.mark.parametrize("fmt,args", [
    ("card %s read", (ID,)),
    ("card %s read", (int(ID),)),
    ("card %d read", (int(ID),)),
    ("old id %s", (OLD_ID,)),
    ("card %(id)s read", ({"id": ID},)),
    ("%s and %s", ("ok", ID)),
    ("object %s", (Holder(),)),
    ("list %s", ([ID],)),
])
def test_percent_arguments_are_masked_in_the_file(log_file, fmt, args):
    logging.getLogger("kiosk.test").info(fmt, *args)
    for handler in logging.getLogger("kiosk").handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert ID not in text and OLD_ID not in text  # the raw number never
    event = json.loads(text.splitlines()[-1])["event"]
    assert "*" in event  # masked, not dropped


def test_a_bad_format_string_is_written_masked_not_lost(log_file):
    logging.getLogger("kiosk.test").info("two %s %s", ID)  # one argument short
    for handler in logging.getLogger("kiosk").handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert ID not in text and "two" in text
