"""BER, DG1, DG2, DG13, EF.CardAccess and SOD parsers: correct on good data, typed errors on
bad data, and never an escaping exception or a hang under fuzzing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.cardreader import ber, dg1, dg2, dg13, pace, sod
from kiosk.devices.cardreader.errors import CardDataError
from kiosk.devices.cardreader.virtual.person import build_files, card_access
from kiosk.devices.cardreader.virtual.pki import build_sod, default_pki, generate

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------ BER
def test_ber_roundtrip_and_multibyte_tags():
    raw = ber.tlv(0x5F1F, b"x" * 300) + ber.tlv(0x7F61, ber.tlv(0x02, b"\x01"))
    a, b = ber.parse_all(raw)
    assert a.tag == 0x5F1F and len(a.value) == 300 and not a.constructed
    assert b.tag == 0x7F61 and b.constructed and b.need(0x02).value == b"\x01"
    assert ber.decode_oid(ber.oid_body("1.0.10646.1.0.8")) == "1.0.10646.1.0.8"
    assert ber.decode_int(ber.parse(ber.integer(300)).value) == 300


@pytest.mark.parametrize("raw, why", [
    (b"\x30\x05\x01", "value runs past the end"),
    (b"\x30\x80\x00\x00", "indefinite"),
    (b"\x30\x85\x01\x00\x00\x00\x00", "length field too long"),
    (b"\x30\x84\x7f\xff\xff\xff", "absurd"),
    (b"\x5f", "truncated tag"),
    (b"\x30", "truncated length"),
    (b"\x1f\x81\x81\x81\x81\x01\x00", "tag too long"),
])
def test_ber_malformed_is_a_typed_error(raw, why):
    with pytest.raises(CardDataError) as info:
        ber.parse_all(raw)
    assert why in info.value.detail
    assert info.value.message_key == "card.bad-data"


# ------------------------------------------------------------------------------ DG1
def test_dg1_td1_parses_and_checks(person):
    mrz = dg1.parse_dg1(build_files(person)[0x0101])
    assert mrz.document_number == "189012345"
    assert mrz.id_number == "001189012345"
    assert (mrz.dob, mrz.sex, mrz.expiry) == ("890517", "F", "290517")
    assert mrz.surname == "NGUYEN" and mrz.given_names == "THI MINH KHAI"
    assert mrz.lines[0].startswith("IDVNM189012345")


@pytest.mark.parametrize("position", [14, 27, 36, 44, 59])
def test_dg1_every_check_digit_is_verified(person, position):
    text = person.mrz()
    digit = text[position]
    wrong = str((int(digit) + 1) % 10)
    with pytest.raises(CardDataError):
        dg1.parse_mrz(text[:position] + wrong + text[position + 1:])


def test_dg1_no_expiry_card(elderly):
    mrz = dg1.parse_mrz(elderly.mrz())
    assert mrz.expiry == "<<<<<<" and mrz.sex == "M"
    assert dg1.mrz_date(mrz.dob) == date(1955, 2, 3)


# ------------------------------------------------------------------------------ DG13
def test_dg13_every_field_by_number(person):
    d = dg13.parse_dg13(build_files(person)[0x010D])
    assert d.get(1) == "001189012345"
    assert d.get(2) == "Nguyễn Thị Minh Khai"
    assert d.get(3) == "17/05/1989"
    assert d.get(4) == "Nữ"
    assert d.get(9).endswith("Quận Hai Bà Trưng, Hà Nội")  # the district as printed
    assert d.get(12) == "17/05/2029"
    assert d.get(13) == ("Nguyễn Văn An", "Trần Thị Bình")
    assert d.get(14) == "Lê Văn Cường"
    assert d.get(15) == "012345678"


def test_dg13_unknown_fields_kept_raw_and_order_free():
    values = {2: "Phạm Văn Đồng", 1: "001099000001", 12: "Không thời hạn", 13: ("", "Lê Thị Mai"), 14: ""}
    raw = dg13.build_dg13(values)
    # an extra field 21 the kiosk does not know, placed first
    inner = ber.parse(raw)
    extra = ber.seq(ber.integer(21), ber.utf8("mới"))
    top = inner.children()[0]
    parts = top.children()
    new_set = ber.tlv(0x31, extra + parts[2].value)
    rebuilt = ber.tlv(0x6D, ber.seq(parts[0].raw, parts[1].raw, new_set))
    d = dg13.parse_dg13(rebuilt)
    assert d.get(2) == "Phạm Văn Đồng" and d.get(12) == "Không thời hạn"
    assert d.get(13) == ("", "Lê Thị Mai") and d.get(14) == ""
    assert 21 in d.raw_unknown and "mới".encode() in d.raw_unknown[21]


def test_dg13_nfc_normalisation():
    decomposed = "Nguye\u0302\u0303n"  # NFD of Nguyễn
    d = dg13.parse_dg13(dg13.build_dg13({2: decomposed}))
    assert d.get(2) == "Nguyễn"


# ------------------------------------------------------------------------------ DG2
def test_dg2_jpeg_and_jpeg2000_decode(person, elderly):
    for p, kind in ((person, dg2.JPEG), (elderly, dg2.JPEG2000)):
        rec = dg2.parse_dg2(build_files(p)[0x0102])
        assert rec.image_type == kind
        face = dg2.decode_face(rec)
        assert (face.width, face.height) == (360, 480)
        assert len(face.rgb) == 360 * 480 * 3 and face.png.startswith(b"\x89PNG")
        # a real picture: not one flat colour
        assert len(set(face.rgb[::997])) > 20


def test_dg2_garbage_image_is_a_typed_error():
    block = dg2.build_face_block(b"\xff\xd8\xff" + b"\x00" * 50, 10, 10, False)
    raw = ber.tlv(0x75, ber.tlv(0x7F61, ber.tlv(0x02, b"\x01") + ber.tlv(0x7F60, ber.tlv(0x5F2E, block))))
    with pytest.raises(CardDataError):
        dg2.decode_face(dg2.parse_dg2(raw))


# ------------------------------------------------------------------------------ CardAccess
def test_card_access_advertises_pace_gm_aes128_brainpool():
    infos = pace.parse_security_infos(card_access())
    chosen = pace.choose(infos)
    assert chosen.protocol == "0.4.0.127.0.7.2.2.4.2.2" and chosen.parameter_id == 13
    assert any(i.is_chip_auth for i in infos)


# ------------------------------------------------------------------------------ SOD / PA
def _groups(person):
    files = build_files(person)
    return files, {1: files[0x0101], 2: files[0x0102], 13: files[0x010D], 14: files[0x010E]}


def test_pa_authentic_integrity_only_and_failures(person, trust, tmp_path):
    files, groups = _groups(person)
    sod_raw = files[0x011D]
    assert sod.passive_authentication(sod_raw, groups, trust).status == sod.AUTHENTIC
    r = sod.passive_authentication(sod_raw, groups, None)
    assert r.status == sod.INTEGRITY_ONLY and "chain not verified" in r.detail
    # a trust store with another CSCA: the chain fails
    other = generate("Other")
    other.write_trust_store(tmp_path)
    r = sod.passive_authentication(sod_raw, groups, sod.load_trust_store(tmp_path))
    assert (r.status, r.failed_check) == (sod.FAILED, "chain")
    # a data group changed after signing
    bad = dict(groups)
    bad[13] = groups[13][:-1] + bytes([groups[13][-1] ^ 1])
    r = sod.passive_authentication(sod_raw, bad, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "dg-hash")
    # a signature byte flipped
    raw = bytearray(sod_raw)
    raw[-5] ^= 0x01  # inside the trailing signature
    r = sod.passive_authentication(bytes(raw), groups, trust)
    assert r.status == sod.FAILED and r.failed_check in ("signature", "parse")


def test_pa_sod_signed_by_an_untrusted_signer_with_forged_issuer_name(person, trust):
    # same CSCA *name*, different key: the chain must not verify by name alone
    files, groups = _groups(person)
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    pki = default_pki()
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    ds = (x509.CertificateBuilder().subject_name(pki.ds_cert.subject).issuer_name(pki.csca_cert.subject)
          .public_key(rogue_key.public_key()).serial_number(7).not_valid_before(now)
          .not_valid_after(now + dt.timedelta(days=30)).sign(rogue_key, hashes.SHA256()))
    from kiosk.devices.cardreader.virtual.pki import TestPki

    forged = build_sod(groups, TestPki(None, pki.csca_cert, rogue_key, ds))
    r = sod.passive_authentication(forged, groups, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "chain")


def test_trust_store_reads_der_and_master_list(person, tmp_path):
    from cryptography.hazmat.primitives import serialization

    pki = default_pki()
    der = pki.csca_cert.public_bytes(serialization.Encoding.DER)
    (tmp_path / "csca.cer").write_bytes(der)
    assert len(sod.load_trust_store(tmp_path).certificates) == 1
    # a minimal ICAO master list: SignedData over CscaMasterList { version, SET OF Certificate }
    ml_content = ber.seq(ber.integer(0), ber.set_of(der))
    signed = ber.seq(ber.integer(3), ber.set_of(), ber.seq(ber.oid(sod.OID_MASTER_LIST),
                     ber.tlv(0xA0, ber.octet_string(ml_content))), ber.set_of())
    ml = ber.seq(ber.oid(sod.OID_SIGNED_DATA), ber.tlv(0xA0, signed))
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "vn.ml").write_bytes(ml)
    store = sod.load_trust_store(folder)
    assert [c.subject for c in store.certificates] == [pki.csca_cert.subject] and not store.problems
    _, groups = _groups(person)
    assert sod.passive_authentication(build_files(person)[0x011D], groups, store).status == sod.AUTHENTIC


# ------------------------------------------------------------------------------ fuzzing
def _mutations(seed: bytes):
    return st.one_of(
        st.binary(max_size=400),
        st.builds(lambda i, b: seed[:i] + bytes([b]) + seed[i + 1:],
                  st.integers(0, len(seed) - 1), st.integers(0, 255)),
        st.builds(lambda n: seed[:n], st.integers(0, len(seed))),
        st.builds(lambda i, junk: seed[:i] + junk + seed[i:], st.integers(0, len(seed)), st.binary(max_size=8)),
    )


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_ber(data):
    try:
        for t in ber.parse_all(data):
            if t.constructed:
                t.children()
    except CardDataError:
        pass


_SAMPLE = None


def _sample_files():
    global _SAMPLE
    if _SAMPLE is None:
        from kiosk.devices.cardreader.virtual import load_person

        _SAMPLE = build_files(load_person())
    return _SAMPLE


@FUZZ
@given(st.data())
def test_fuzz_dg1(data):
    raw = data.draw(_mutations(_sample_files()[0x0101]))
    try:
        dg1.parse_dg1(raw)
    except CardDataError:
        pass


@FUZZ
@given(st.data())
def test_fuzz_dg13(data):
    raw = data.draw(_mutations(_sample_files()[0x010D]))
    try:
        dg13.parse_dg13(raw)
    except CardDataError:
        pass


@FUZZ
@given(st.data())
def test_fuzz_sod_and_pa(data):
    files = _sample_files()
    raw = data.draw(_mutations(files[0x011D]))
    try:
        sod.parse_sod(raw)
    except CardDataError:
        pass
    r = sod.passive_authentication(raw, {1: files[0x0101]}, None)  # never raises
    assert r.status in (sod.FAILED, sod.INTEGRITY_ONLY)


@FUZZ
@given(st.data())
def test_fuzz_card_access_and_dg2_headers(data):
    raw = data.draw(_mutations(card_access()))
    try:
        pace.parse_security_infos(raw)
    except CardDataError:
        pass
    block = data.draw(_mutations(_sample_files()[0x0102][:200]))
    try:
        dg2.parse_dg2(block)
    except CardDataError:
        pass


@pytest.mark.parametrize("parents", [
    lambda f, m: ber.seq(ber.utf8(f)) + ber.seq(ber.utf8(m)),  # the layout the virtual card writes
    lambda f, m: ber.utf8(f) + ber.utf8(m),  # two plain strings
    lambda f, m: ber.seq(ber.seq(ber.utf8(f)), ber.seq(ber.utf8(m))),  # both wrapped once more
])
def test_dg13_parent_layout_variants(parents):
    field13 = ber.seq(ber.integer(13), parents("Nguyễn Văn An", "Trần Thị Bình"))
    flat = ber.tlv(0x6D, ber.seq(ber.integer(1), ber.oid(dg13.OID_UCS)) + ber.seq(ber.integer(2), ber.utf8("Ai Đó"))
                   + field13)  # fields directly under 6D, no SET
    d = dg13.parse_dg13(flat)
    assert d.get(13) == ("Nguyễn Văn An", "Trần Thị Bình") and d.get(2) == "Ai Đó"
