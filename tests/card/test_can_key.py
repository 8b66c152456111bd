"""PACE needs only the CAN, the last 6 digits of the ID number: a key of those 6 digits opens
the chip; a chip that refuses PACE asks for what BAC needs (the full number and the birth date)."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.devices.cardreader.errors import AccessDeniedError, CardKeyError
from kiosk.devices.cardreader.key import CardKey
from kiosk.devices.cardreader.reader import ReadOptions, read_identity

ID = "001189012345"
DOB = date(1989, 5, 17)


def test_the_last_six_digits_open_the_chip_with_pace(make_transport, person, trust):
    key = CardKey("", can_digits=ID[-6:])
    assert key.can == "012345" and not key.bac_possible and "012345" not in repr(key)
    ident, rep = read_identity(make_transport(person), key, ReadOptions(trust=trust))
    assert rep.method == "pace" and ident.id_number == ID and ident.authentic


def test_other_six_digits_do_not(make_transport, person):
    with pytest.raises(AccessDeniedError):
        read_identity(make_transport(person), CardKey("", can_digits="999999"))


def test_a_chip_refusing_pace_asks_for_the_number_and_birth_date(make_transport, person, trust):
    with pytest.raises(AccessDeniedError) as info:
        read_identity(make_transport(person, {"no-pace"}), CardKey("", can_digits=ID[-6:]))
    assert info.value.message_key == "card.need-dob"
    # a CAN with a birth date is still no BAC key: BAC needs the document number too
    with pytest.raises(AccessDeniedError) as info:
        read_identity(make_transport(person, {"no-pace"}), CardKey("", dob=DOB, can_digits=ID[-6:]))
    assert info.value.message_key == "card.need-dob"
    ident, rep = read_identity(make_transport(person, {"no-pace"}), CardKey(ID, dob=DOB), ReadOptions(trust=trust))
    assert rep.method == "bac" and ident.authentic


@pytest.mark.parametrize("can", ["01234", "0123456", "01234a", ""])
def test_a_can_is_six_digits(can):
    with pytest.raises(CardKeyError):
        CardKey("", can_digits=can)


def test_a_can_must_match_the_number_given_with_it():
    assert CardKey(ID, can_digits="012345").can == "012345"
    with pytest.raises(CardKeyError):
        CardKey(ID, can_digits="111111")
