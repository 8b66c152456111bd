"""A look-up URL is read only when its host is exactly one on the allow-list (kiosk.ini
``qr_lookup_hosts``): never on a suffix, a prefix or a sub-domain match.  A mutation that
accepts ``host.endswith(allowed)`` (or a sub-domain of it) must fail here."""

from __future__ import annotations

import pytest

from kiosk.payloads import DossierCodePayload, UnknownPayload, parse_payload

HOSTS = ("dichvucong.gov.vn", "dichvucong.hanoi.gov.vn")
CODE = "HS-2024-000123"


@pytest.mark.parametrize("host", [
    "evil-dichvucong.gov.vn",          # suffix match
    "xdichvucong.gov.vn",              # suffix match without a separator
    "evil.dichvucong.gov.vn",          # a sub-domain: someone else's name under the portal is not the portal
    "dichvucong.gov.vn.evil.com",      # prefix match
    "dichvucong.gov.vnx",
    "ichvucong.gov.vn",                # the allowed name with a letter missing
    "hanoi.gov.vn",                    # a suffix of an allowed host
    "gov.vn",
    "vn",
    "dichvucong.gov.vn..",
    "dichvucong-gov.vn",
])
def test_only_the_exact_host_is_accepted(host):
    for scheme in ("https", "http"):
        p = parse_payload(f"{scheme}://{host}/tra-cuu?maHoSo={CODE}", HOSTS)
        assert isinstance(p, UnknownPayload) and p.reason == "host-not-allowed", (host, p)


@pytest.mark.parametrize("host", ["dichvucong.gov.vn", "DichVuCong.Gov.VN", "dichvucong.gov.vn.",
                                  "dichvucong.hanoi.gov.vn", "dichvucong.gov.vn:443"])
def test_the_allowed_hosts_themselves_are_read(host):
    p = parse_payload(f"https://{host}/tra-cuu?maHoSo={CODE}", HOSTS)
    assert isinstance(p, DossierCodePayload) and p.code == CODE and p.from_url
    assert p.host in HOSTS


@pytest.mark.parametrize("url", [
    f"https://dichvucong.gov.vn@evil.example/?ma={CODE}",
    f"https://evil.example@dichvucong.gov.vn/?ma={CODE}",
    f"https://evil.example\\@dichvucong.gov.vn/?ma={CODE}",
    f"https://evil.example%2edichvucong.gov.vn/?ma={CODE}",
    f"https://dichvucong.gov.vn%2eevil.example/?ma={CODE}",
    f"https://dichvucong.gov.vn:8080/?ma={CODE}",
    f"https://127.0.0.1/?ma={CODE}",
])
def test_tricks_around_the_host_are_refused(url):
    assert isinstance(parse_payload(url, HOSTS), UnknownPayload)


def test_an_empty_allow_list_reads_no_url():
    assert parse_payload(f"https://dichvucong.gov.vn/?ma={CODE}", ()).reason == "host-not-allowed"
