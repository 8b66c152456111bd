"""Whole reads over the in-process virtual card: PACE, BAC, fallbacks, faults, the Identity."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from kiosk.devices.cardreader import pace
from kiosk.devices.cardreader.errors import (
    AccessDeniedError,
    CancelledError,
    CardRemovedError,
    NotAnIdCardError,
    PassiveAuthError,
)
from kiosk.devices.cardreader.key import CardKey, expiry_candidates
from kiosk.devices.cardreader.reader import ReadOptions, read_identity

ID = "001189012345"
DOB = date(1989, 5, 17)


def test_pace_with_the_id_number_only(make_transport, person, trust):
    ident, rep = read_identity(make_transport(person), CardKey(ID), ReadOptions(trust=trust))
    assert rep.method == "pace" and ident.access_method == "pace"
    assert ident.pa_status == "authentic" and ident.authentic
    assert ident.id_number == ID and ident.full_name == "Nguyễn Thị Minh Khai"
    assert ident.date_of_birth == DOB and ident.sex == "Nữ" and ident.expiry_date == date(2029, 5, 17)
    assert ident.residence == "Số 12 ngõ 34 phố Huế, Phường Phố Huế, Quận Hai Bà Trưng, Hà Nội"
    assert (ident.father, ident.mother, ident.spouse) == ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
    assert ident.old_id_number == "012345678" and ident.document_number == "189012345"
    assert ident.face_format == "jpeg" and ident.face.width == 360 and bytes(ident.face_image[:3]) == b"\xff\xd8\xff"
    assert rep.extended is True and rep.pa.checked_groups == (1, 2, 13, 14)


def test_bac_with_dob_and_derived_expiry(make_transport, person, trust):
    ident, rep = read_identity(make_transport(person), CardKey(ID, dob=DOB), ReadOptions(method="bac", trust=trust))
    assert rep.method == "bac" and ident.full_name == "Nguyễn Thị Minh Khai" and ident.authentic


def test_bac_with_document_number_dob_and_expiry(make_transport, person, trust):
    key = CardKey("", dob=DOB, expiry=date(2029, 5, 17), doc_number="189012345")
    ident, rep = read_identity(make_transport(person), key, ReadOptions(trust=trust))
    assert rep.method == "bac" and ident.id_number == ID


def test_no_expiry_card_by_bac_with_jpeg2000_face(make_transport, elderly, trust):
    key = CardKey("079055001234", dob=date(1955, 2, 3))
    ident, rep = read_identity(make_transport(elderly), key, ReadOptions(method="bac", trust=trust))
    assert ident.expiry_date is None and ident.expiry_text == "Không thời hạn"
    assert ident.face_format == "jpeg2000" and ident.face.width == 360
    assert ident.sex == "Nam" and ident.spouse == ""


def test_expiry_candidates_follow_renewal_ages():
    dob = date(1989, 5, 17)
    c = expiry_candidates(dob, today=date(2026, 11, 30))
    assert c[0] == date(2029, 5, 17)  # the next milestone (40) first
    assert date(2049, 5, 17) in c and date(2014, 5, 17) in c
    old = expiry_candidates(date(1955, 2, 3), today=date(2026, 11, 30))
    assert old[0] is None  # past 60: no expiry is the most likely
    assert expiry_candidates(date(2010, 1, 1), today=date(2023, 6, 1))[0] == date(2024, 1, 1)


@pytest.mark.parametrize("cipher_arc, param", [(1, 13), (2, 12), (4, 13)])
def test_other_pace_variants(make_transport, person, trust, cipher_arc, param):
    """3DES, AES-256 and NIST P-256 variants: the virtual card accepts what MSE:Set AT asks."""
    from kiosk.devices.cardreader.apdu import Apdu
    from kiosk.devices.cardreader.channel import Channel

    t = make_transport(person)
    t.connect()
    ch = Channel(t)
    info = pace.SecurityInfo(f"0.4.0.127.0.7.2.2.4.2.{cipher_arc}", 2, param, b"")
    pace.authenticate(ch, info, b"012345", pace.PASSWORD_CAN)
    data, sw = ch.send(Apdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001")))
    assert sw == 0x9000
    _, sw = ch.send(Apdu(0x00, 0xA4, 0x02, 0x0C, b"\x01\x01"))
    data, sw = ch.send(Apdu(0x00, 0xB0, 0x00, 0x00, le=5))
    assert sw == 0x9000 and data[:5] == b"\x61\x5d\x5f\x1f\x5a"  # 61 5D 5F1F 5A: DG1 with the 90-char MRZ


def test_wrong_id_number_is_access_denied(make_transport, person):
    with pytest.raises(AccessDeniedError) as info:
        read_identity(make_transport(person), CardKey("001189012399"))
    assert info.value.message_key == "card.access-denied" and info.value.next_step == "next.check_id_number"


def test_wrong_dob_by_bac_is_access_denied(make_transport, person):
    with pytest.raises(AccessDeniedError):
        read_identity(make_transport(person), CardKey(ID, dob=date(1989, 5, 18)), ReadOptions(method="bac"))


def test_pace_refused_falls_back_to_bac(make_transport, person, trust):
    ident, rep = read_identity(make_transport(person, {"no-pace"}), CardKey(ID, dob=DOB), ReadOptions(trust=trust))
    assert rep.method == "bac" and ident.authentic


def test_no_card_access_falls_back_to_bac(make_transport, person):
    ident, rep = read_identity(make_transport(person, {"no-card-access"}), CardKey(ID, dob=DOB))
    assert rep.method == "bac" and ident.pa_status == "integrity-only"


def test_pace_refused_without_dob_asks_for_it(make_transport, person):
    with pytest.raises(AccessDeniedError) as info:
        read_identity(make_transport(person, {"no-pace"}), CardKey(ID))
    assert info.value.message_key == "card.need-dob" and info.value.next_step == "next.enter_date_of_birth"


def test_bank_card_is_not_a_chip_id_card(make_transport, person):
    for key in (CardKey(ID), CardKey(ID, dob=DOB)):
        with pytest.raises(NotAnIdCardError) as info:
            read_identity(make_transport(person, {"bank-card", "no-card-access"}), key)
        assert info.value.message_key == "card.not-id-card"


def test_corrupted_dg_fails_passive_authentication(make_transport, person, trust):
    with pytest.raises(PassiveAuthError) as info:
        read_identity(make_transport(person, {"corrupt-dg"}), CardKey(ID), ReadOptions(trust=trust))
    assert info.value.check == "dg-hash" and info.value.exit_code == 3
    assert info.value.result.status == "failed"


def test_extended_refused_falls_back_to_short_reads(make_transport, person, trust):
    ident, rep = read_identity(make_transport(person, {"no-extended"}), CardKey(ID), ReadOptions(trust=trust))
    assert ident.authentic and rep.extended is False and rep.short_size == 223
    assert rep.resumes == 1  # secure messaging was re-opened once after the refusal


def test_short_reads_step_down_from_256(make_transport, person):
    ident, rep = read_identity(make_transport(person), CardKey(ID), ReadOptions(read_mode="short"))
    assert rep.short_size == 223 and rep.extended is False and ident.face.width == 360
    assert rep.stats.apdus > 60


def test_dropped_link_resumes_from_offset(make_transport, person, trust):
    t = make_transport(person, {"drop"})
    ident, rep = read_identity(t, CardKey(ID), ReadOptions(read_mode="short", trust=trust))
    assert rep.resumes == 1 and ident.authentic and len(ident.face_image) > 10000
    clean, rep2 = read_identity(make_transport(person), CardKey(ID), ReadOptions(read_mode="short", trust=trust))
    assert bytes(clean.face_image) == bytes(ident.face_image)
    # resuming re-read only the interrupted chunk, not the file from the start
    # (PACE again + SELECT AID + SELECT file + the lost chunk: about 8 APDUs, not ~60 for DG2 again)
    assert rep.file_sizes["DG2"] == rep2.file_sizes["DG2"]
    assert 0 < rep.stats.apdus - rep2.stats.apdus <= 10


def test_card_removed_mid_read_is_a_clean_error(make_transport, person):
    t = make_transport(person, {"vanish"})
    with pytest.raises(CardRemovedError) as info:
        read_identity(t, CardKey(ID), ReadOptions(read_mode="short", resume_window_s=0.2))
    assert info.value.message_key == "card.removed" and info.value.next_step == "next.place_card_again"


def test_cancel_and_progress(make_transport, person):
    seen = []
    cancel = threading.Event()

    def progress(fraction, step):
        seen.append((fraction, step))
        if step == "card.step.read-dg2" and fraction > 0.4:
            cancel.set()

    with pytest.raises(CancelledError):
        read_identity(make_transport(person), CardKey(ID), ReadOptions(read_mode="short"), progress, cancel)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and {"card.step.access", "card.step.read-sod"} <= {s for _, s in seen}
    seen.clear()
    read_identity(make_transport(person), CardKey(ID), ReadOptions(), progress=lambda f, s: seen.append((f, s)))
    assert seen[-1] == (1.0, "card.step.done")


def test_identity_wipe_and_repr_never_show_personal_data(make_transport, person):
    ident, _ = read_identity(make_transport(person), CardKey(ID))
    face = ident.face_image
    text = repr(ident) + str(ident) + repr(CardKey(ID))
    for secret in (ID, "Nguyễn", "NGUYEN", "Hai Bà Trưng", "1989", "012345"):
        assert secret not in text
    ident.wipe()
    assert ident.wiped and repr(ident) == "Identity(<wiped>)"
    assert ident.id_number == "" and ident.full_name == "" and ident.date_of_birth is None
    assert ident.passive_auth is None and len(face) == 0 and ident.face.width == 0 and not ident.face.png
    assert all(v in ("", None, False, True) or v == {} for v in vars(ident).values()
               if not isinstance(v, (bytearray, object.__class__)) and not hasattr(v, "wipe"))


def test_bad_key_shapes_are_typed_errors():
    from kiosk.devices.cardreader.errors import CardKeyError

    for bad in ("12345", "00118901234X", "0011890123456"):
        with pytest.raises(CardKeyError):
            CardKey(bad)


def test_dg14_is_parsed_and_reported(make_transport, person):
    _, rep = read_identity(make_transport(person), CardKey(ID))
    assert rep.chip_auth == ["0.4.0.127.0.7.2.2.3.2.2"]  # id-CA-ECDH-AES-CBC-CMAC-128


def test_bench_runs_in_process(capsys):
    import argparse

    from kiosk.bench import card as bench

    rc = bench.run(argparse.Namespace(repeat=1, person=None, no_pcsc=True, port=35963))
    out = capsys.readouterr().out
    assert rc == 0 and "in-process  PACE   extended" in out and "host/air424" in out
    assert bench.air_seconds([(5, 258)], 106) > bench.air_seconds([(5, 258)], 424) > 0


# ----------------------------------------------------------------------------- hostile cards
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_BASE_CARD = {}


def _base_card():
    if not _BASE_CARD:
        from kiosk.devices.cardreader.virtual import VirtualCard, load_person

        card = VirtualCard(load_person())
        _BASE_CARD["files"] = dict(card.files)
        _BASE_CARD["card"] = card
    return _BASE_CARD


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(fid=st.sampled_from([0x011E, 0x011D, 0x0101, 0x010D, 0x010E, 0x0102]),
       mutation=st.sampled_from(["truncate", "flip", "length", "junk"]), where=st.integers(0, 4000),
       value=st.integers(0, 255))
def test_hostile_card_files_give_typed_errors_never_exceptions(fid, mutation, where, value):
    """A chip whose files are truncated, bit-flipped, or declare absurd lengths: read_identity
    ends with data or a CardError — never another exception, never a hang."""
    from kiosk.devices.cardreader.errors import CardError
    from kiosk.devices.cardreader.transport import InProcessTransport, VirtualSlot

    base = _base_card()
    card = base["card"]
    files = dict(base["files"])
    data = bytearray(files[fid])
    i = where % len(data)
    if mutation == "truncate":
        data = data[:i]
    elif mutation == "flip":
        data[i] ^= (value or 1)
    elif mutation == "length":
        data[1:2] = bytes([0x84]) + bytes([value, 0xFF, 0xFF, 0xFF])  # absurd declared length
    else:
        data[i:i] = bytes([value]) * 3
    files[fid] = bytes(data)
    card.files = files
    card.reset()
    slot = VirtualSlot()
    slot.place(card)
    try:
        ident, _ = read_identity(InProcessTransport(slot), CardKey(ID))
    except CardError as exc:
        assert exc.message_key.startswith("card.")
    else:
        # only harmless changes may pass: PA must still hold (e.g. padding after a TLV)
        assert ident.pa_status in ("integrity-only", "authentic")
    finally:
        card.files = dict(base["files"])


def test_same_last_six_digits_but_another_card_is_refused(make_transport, person):
    # 002189012345 shares the CAN (012345) with the card, but it is not this citizen's number
    with pytest.raises(AccessDeniedError) as info:
        read_identity(make_transport(person), CardKey("002189012345"))
    assert info.value.message_key == "card.id-mismatch" and info.value.exit_code == 4
    assert info.value.report.stats.apdus > 10  # counters survive for the technician


def test_chip_authentication_passes_and_detects_a_copied_chip(make_transport, person, trust):
    ident, rep = read_identity(make_transport(person), CardKey(ID), ReadOptions(trust=trust))
    assert rep.chip_auth_result == "passed" and ident.chip_authenticated
    # a copy: every data group and the SOD are genuine (PA alone would say authentic)
    with pytest.raises(PassiveAuthError) as info:
        read_identity(make_transport(person, {"clone"}), CardKey(ID), ReadOptions(trust=trust))
    assert info.value.check == "chip-authentication" and info.value.message_key == "card.not-authentic"
    ident, rep = read_identity(make_transport(person, {"clone"}), CardKey(ID),
                               ReadOptions(trust=trust, chip_auth=False))
    assert ident.authentic and not ident.chip_authenticated and rep.chip_auth_result == "not-performed"
    assert ident.authenticity == "authentic-no-chip-auth" and ident.as_dict()["chip_authentication"] == "not-performed"


def test_logs_never_carry_personal_data(make_transport, person, caplog):
    import logging

    from kiosk.config import defaults
    from kiosk.devices.base import StatusBoard
    from kiosk.devices.cardreader import build

    caplog.set_level(logging.DEBUG)
    dev = build(defaults(), StatusBoard(), simulated=True)
    dev.open()
    dev.read_mode = "short"  # so that the link drops in the middle of DG2
    dev.place_card(faults={"drop"})
    dev.read_identity(CardKey(ID))
    with pytest.raises(AccessDeniedError):
        dev.read_identity(CardKey("001189012399"))
    text = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert "card read" in text and "resuming" in text  # the log is not simply empty
    for secret in (ID, "001189012399", "189012345", "012345", "Nguyễn", "NGUYEN", "Minh Khai", "Hai Bà Trưng"):
        assert secret not in text
    statuses = repr(dev.status) + repr(dev.board.all())
    assert ID not in statuses and "Nguy" not in statuses


# ----------------------------------------------------------------- chip authentication reported, never silently fine

def _card_without_dg14(person, hide_in_com_only: bool, faults=()):
    """A card whose EF.COM does not list DG14.  ``hide_in_com_only``: the SOD still signs DG14
    and the file is there (a copy hiding the key it lacks); else a genuine issuer-signed chip
    that has no DG14 at all (no chip authentication possible)."""
    from kiosk.devices.cardreader import ber
    from kiosk.devices.cardreader.transport import InProcessTransport, VirtualSlot
    from kiosk.devices.cardreader.virtual import VirtualCard
    from kiosk.devices.cardreader.virtual.person import DG_FIDS, DG_TAGS, FID_COM, FID_SOD
    from kiosk.devices.cardreader.virtual.pki import build_sod, default_pki

    card = VirtualCard(person, set(faults))
    listed = [1, 2, 3, 13, 15]
    card.files[FID_COM] = ber.tlv(0x60, ber.tlv(0x5F01, b"0107") + ber.tlv(0x5F36, b"040000")
                                  + ber.tlv(0x5C, bytes(DG_TAGS[n] for n in listed)))
    if not hide_in_com_only:
        groups = {n: card.files[DG_FIDS[n]] for n in listed}
        card.files.pop(DG_FIDS[14])
        card.files[FID_SOD] = build_sod(groups, default_pki())
    slot = VirtualSlot()
    slot.place(card)
    return InProcessTransport(slot)


def test_a_chip_without_chip_authentication_is_reported_as_such(person, trust):
    ident, rep = read_identity(_card_without_dg14(person, hide_in_com_only=False), CardKey(ID),
                               ReadOptions(trust=trust))
    assert ident.pa_status == "authentic"  # the issuer signed it…
    assert rep.chip_auth_result == "not-supported" and ident.chip_auth == "not-supported"
    assert not ident.chip_authenticated and ident.authenticity == "authentic-no-chip-auth"  # …but a copy reads the same
    out = ident.as_dict()
    assert out["chip_authentication"] == "not-supported" and "not supported" in out["chip_authentication_note"]
    assert rep.as_dict()["chip_authentication"] == "not-supported"
    assert rep.as_dict()["trust_store_certificates"] == len(trust.certificates) > 0


def test_a_copy_that_hides_dg14_from_ef_com_is_still_chip_authenticated(person, trust):
    """EF.COM is not signed: a copied chip can leave DG14 out of it.  The SOD signs DG14, so the
    reader reads it anyway and the copy fails chip authentication."""
    genuine, rep = read_identity(_card_without_dg14(person, hide_in_com_only=True), CardKey(ID),
                                 ReadOptions(trust=trust))
    assert rep.chip_auth_result == "passed" and genuine.authenticity == "authentic"
    with pytest.raises(PassiveAuthError) as info:
        read_identity(_card_without_dg14(person, hide_in_com_only=True, faults={"clone"}), CardKey(ID),
                      ReadOptions(trust=trust))
    assert info.value.check == "chip-authentication"


def test_without_a_trust_store_a_self_signed_chip_is_integrity_only_at_best(make_transport, person):
    from kiosk.devices.cardreader.sod import TrustStore

    ident, rep = read_identity(make_transport(person), CardKey(ID), ReadOptions(trust=None))
    assert ident.authenticity == "integrity-only" and rep.trust_store_size is None
    with pytest.raises(PassiveAuthError) as info:  # a configured but empty store trusts nobody
        read_identity(make_transport(person), CardKey(ID), ReadOptions(trust=TrustStore(source="/empty")))
    assert info.value.check == "chain"
    assert info.value.report.trust_store_size == 0
