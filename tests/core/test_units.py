"""The 2025 administrative units (kiosk.units): the 34 provinces and their 3,321 wards from the
registry package, search without accents, and the chip's old three-level residence converted
offline to today's province and ward (issue 14, item 4: the ward was free text)."""

from __future__ import annotations

import socket

import pytest

from kiosk import units

GATEWAY_PROVINCES = ["Thành phố Hà Nội", "Thành phố Hồ Chí Minh", "Tỉnh An Giang"]


def test_the_34_provinces_and_3321_wards():
    names = units.province_names()
    assert len(names) == 34
    assert sum(len(units.wards(p)) for p in names) == 3321
    hanoi = units.wards("Thành phố Hà Nội")
    assert hanoi == units.wards("Hà Nội") == units.wards("TP. Hà Nội")  # any spelling of the province
    assert "Phường Ba Đình" in hanoi and "Phường Láng" in hanoi
    assert hanoi == sorted(hanoi, key=units.sort_key)
    assert units.wards("Quận Ba Đình") == []  # no such province


def test_search_ignores_accents_and_puts_starts_first():
    hanoi = units.wards("Hà Nội")
    assert units.search(hanoi, "ba dinh") == ["Phường Ba Đình"]
    assert units.search(hanoi, "lang")[0] == "Phường Láng"
    assert units.search(hanoi, "") == hanoi
    assert units.search(hanoi, "zzz") == []


@pytest.fixture
def offline(monkeypatch):
    """The conversion never reaches the network (the package would geocode a split ward's
    street online: the citizen's address would leave the kiosk)."""
    def refuse(*a, **kw):
        raise AssertionError("the address conversion tried the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_the_sample_card_old_address_becomes_two_levels(offline):
    r = units.from_residence("Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội", GATEWAY_PROVINCES)
    assert r == units.Residence("Thành phố Hà Nội", "Phường Hai Bà Trưng", "Số 12 ngõ 34 phố Huế", converted=True)


def test_a_split_ward_offers_its_new_wards_without_guessing_online(offline):
    r = units.from_residence("Số 5 phố Hoàng Hoa Thám, Phường Ngọc Hà, Quận Ba Đình, Thành phố Hà Nội",
                             GATEWAY_PROVINCES)
    assert r.province == "Thành phố Hà Nội" and r.street == "Số 5 phố Hoàng Hoa Thám"
    assert r.ward == "" and set(r.choices) == {"Phường Ba Đình", "Phường Ngọc Hà"}


def test_an_address_already_in_two_levels_is_kept(offline):
    r = units.from_residence("Số 1, Phường Ba Đình, Hà Nội", GATEWAY_PROVINCES)
    assert r == units.Residence("Thành phố Hà Nội", "Phường Ba Đình", "Số 1")


def test_what_cannot_be_read_gives_nothing(offline):
    assert units.from_residence("", GATEWAY_PROVINCES) is None
    assert units.from_residence("gibberish, foo, bar", GATEWAY_PROVINCES) is None
    # a province the gateway does not list
    assert units.from_residence("Số 1, Phường Ba Đình, Hà Nội", ["Tỉnh An Giang"]) is None
