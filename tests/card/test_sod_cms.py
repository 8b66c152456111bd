"""EF.SOD's CMS structure: lenient where real chips differ (the three LDS security object OIDs,
extra SignerInfos, certificates in any order), strict on the cryptography (data group hashes,
contentType and messageDigest attributes, the signature with ECDSA, RSA-PKCS1 v1.5 and RSA-PSS,
the chain to a CSCA).  The SODs are built here with asn1crypto and cryptography."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest
from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.cardreader import ber, sod
from kiosk.devices.cardreader.errors import CardDataError
from kiosk.devices.cardreader.virtual.person import build_files
from kiosk.devices.cardreader.virtual.pki import default_pki

SOD_LOG = "kiosk.devices.cardreader.sod"


# ----------------------------------------------------------------------------- building SODs

def _der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def make_ds(key, label: str, *, ski: bool = False, issuer_key=None, issuer_name=None):
    """A document signer certificate for ``key``, issued by the test CSCA unless told otherwise."""
    pki = default_pki()
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COUNTRY_NAME, "VN"),
                                        x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, label)]))
               .issuer_name(issuer_name or pki.csca_cert.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30)))
    if ski:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return builder.sign(issuer_key or pki.csca_key, hashes.SHA256())


def lds_security_object(groups: dict[int, bytes], hash_name: str = "sha256") -> bytes:
    return sod.LDSSecurityObject({
        "version": 0,
        "hash_algorithm": {"algorithm": hash_name},
        "data_group_hash_values": [
            {"data_group_number": n, "data_group_hash_value": hashlib.new(hash_name, groups[n]).digest()}
            for n in sorted(groups)
        ],
    }).dump()


_HASH = {"sha256": hashes.SHA256, "sha384": hashes.SHA384}


def signer_info(key, cert, econtent: bytes, *, content_type: str = sod.OID_LDS_SECURITY_OBJECT,
                scheme: str = "ecdsa", digest: str = "sha256", by_key_id: bool = False,
                signature: bytes | None = None) -> cms.SignerInfo:
    """A SignerInfo whose signed attributes name ``content_type`` and hash ``econtent``;
    scheme: ecdsa, rsa (sha256WithRSAEncryption), rsa-plain (rsaEncryption) or pss."""
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": [content_type]},
        {"type": "message_digest", "values": [hashlib.new(digest, econtent).digest()]},
    ])
    to_sign = attrs.dump()  # the SET OF, as the signature covers it
    h = _HASH[digest]()
    if scheme == "ecdsa":
        sig_alg = {"algorithm": f"{digest}_ecdsa"}
        sig = key.sign(to_sign, ec.ECDSA(h))
    elif scheme in ("rsa", "rsa-plain"):
        sig_alg = {"algorithm": f"{digest}_rsa" if scheme == "rsa" else "rsassa_pkcs1v15"}
        sig = key.sign(to_sign, padding.PKCS1v15(), h)
    elif scheme == "pss":
        salt = h.digest_size
        sig_alg = {"algorithm": "rsassa_pss", "parameters": algos.RSASSAPSSParams({
            "hash_algorithm": {"algorithm": digest},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
            "salt_length": salt,
        })}
        sig = key.sign(to_sign, padding.PSS(padding.MGF1(h), salt), h)
    else:
        raise ValueError(scheme)
    if by_key_id:
        sid = cms.SignerIdentifier(
            name="subject_key_identifier",
            value=cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest)
    else:
        cert_asn1 = asn1_x509.Certificate.load(_der(cert))
        sid = cms.SignerIdentifier(name="issuer_and_serial_number", value={
            "issuer": cert_asn1.issuer, "serial_number": cert.serial_number})
    return cms.SignerInfo({
        "version": "v3" if by_key_id else "v1",
        "sid": sid,
        "digest_algorithm": {"algorithm": digest},
        "signed_attrs": attrs,
        "signature_algorithm": sig_alg,
        "signature": signature if signature is not None else sig,
    })


def assemble(econtent: bytes, signers: list[cms.SignerInfo], certs: list, *,
             content_type: str = sod.OID_LDS_SECURITY_OBJECT, digest: str = "sha256") -> bytes:
    """EF.SOD: tag 77 around a ContentInfo holding the SignedData."""
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": digest}],
        "encap_content_info": {"content_type": content_type, "content": core.ParsableOctetString(econtent)},
        "certificates": [asn1_x509.Certificate.load(_der(c)) for c in certs],
        "signer_infos": signers,
    })
    info = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return ber.tlv(0x77, info.dump())


def make_sod(groups, key=None, cert=None, **kw) -> bytes:
    pki = default_pki()
    key, cert = key or pki.ds_key, cert or pki.ds_cert
    content_type = kw.get("content_type", sod.OID_LDS_SECURITY_OBJECT)
    econtent = lds_security_object(groups)
    return assemble(econtent, [signer_info(key, cert, econtent, **kw)], [cert], content_type=content_type)


@pytest.fixture(scope="module")
def groups(person):
    files = build_files(person)
    return {1: files[0x0101], 2: files[0x0102], 13: files[0x010D], 14: files[0x010E]}


@pytest.fixture(scope="module")
def rsa_ds():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, make_ds(key, "Test RSA Document Signer", ski=True)


def _edit(groups, number=13):
    edited = dict(groups)
    edited[number] = groups[number][:-1] + bytes([groups[number][-1] ^ 1])
    return edited


# ----------------------------------------------------------------------------- lenient structure

def test_builder_matches_the_virtual_card(groups, trust):
    """The SOD built here and the virtual card's both verify: the builder is sound."""
    assert sod.passive_authentication(make_sod(groups), groups, trust).status == sod.AUTHENTIC


@pytest.mark.parametrize("oid", ["2.23.136.1.1.1", "1.3.27.1.1.1", "1.2.528.1.1006.1.20.1"])
def test_each_lds_security_object_oid_reads(groups, trust, oid):
    raw = make_sod(groups, content_type=oid)
    parsed = sod.parse_sod(raw)
    assert parsed.content_type == oid and sorted(parsed.dg_hashes) == [1, 2, 13, 14]
    r = sod.passive_authentication(raw, groups, trust)
    assert (r.status, r.failed_check) == (sod.AUTHENTIC, None)


@pytest.mark.parametrize("oid", ["1.2.840.113549.1.7.1", sod.OID_MASTER_LIST, "2.23.136.1.1.9"])
def test_an_unknown_econtent_type_is_refused(groups, trust, oid):
    raw = make_sod(groups, content_type=oid)  # signed consistently: only the OID is wrong
    with pytest.raises(CardDataError):
        sod.parse_sod(raw)
    r = sod.passive_authentication(raw, groups, trust)
    assert (r.status, r.failed_check, r.detail) == (sod.FAILED, "parse", "SOD does not hold an LDSSecurityObject")


def test_two_signers_one_bogus_reads_with_a_warning(groups, trust, person, caplog):
    pki = default_pki()
    econtent = lds_security_object(groups)
    bogus_key = ec.generate_private_key(ec.SECP256R1())
    bogus = signer_info(bogus_key, pki.ds_cert, econtent)  # names the DS certificate, signed by another key
    good = signer_info(pki.ds_key, pki.ds_cert, econtent)
    raw = assemble(econtent, [bogus, good], [pki.ds_cert])
    assert len(sod.parse_sod(raw).signers) == 2
    with caplog.at_level(logging.INFO, logger=SOD_LOG):
        r = sod.passive_authentication(raw, groups, trust)
    assert r.status == sod.AUTHENTIC and r.signer == pki.ds_cert.subject.rfc4514_string()
    warnings = [rec for rec in caplog.records if rec.name == SOD_LOG and rec.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2 SignerInfos" in warnings[0].getMessage()
    for secret in (person.id_number, person.mrz()[:30], "Nguy"):  # no personal data in the log
        assert secret not in caplog.text


def test_two_signers_both_bogus_fail_on_the_signature(groups, trust):
    pki = default_pki()
    econtent = lds_security_object(groups)
    others = [ec.generate_private_key(ec.SECP256R1()) for _ in range(2)]
    raw = assemble(econtent, [signer_info(k, pki.ds_cert, econtent) for k in others], [pki.ds_cert])
    r = sod.passive_authentication(raw, groups, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "signature")


def test_an_unreadable_extra_signer_does_not_hide_the_good_one(groups, trust):
    pki = default_pki()
    econtent = lds_security_object(groups)
    odd = signer_info(pki.ds_key, pki.ds_cert, econtent, signature=b"")
    odd["digest_algorithm"] = {"algorithm": "md5"}  # a digest this reader refuses
    raw = assemble(econtent, [odd, signer_info(pki.ds_key, pki.ds_cert, econtent)], [pki.ds_cert])
    assert sod.passive_authentication(raw, groups, trust).status == sod.AUTHENTIC
    alone = assemble(econtent, [odd], [pki.ds_cert])
    r = sod.passive_authentication(alone, groups, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "parse")


def test_certificates_in_any_order(groups, trust, rsa_ds):
    pki = default_pki()
    rsa_key, rsa_cert = rsa_ds
    econtent = lds_security_object(groups)
    si = signer_info(pki.ds_key, pki.ds_cert, econtent)
    for certs in ([pki.csca_cert, pki.ds_cert], [rsa_cert, pki.csca_cert, pki.ds_cert], [pki.ds_cert, rsa_cert]):
        r = sod.passive_authentication(assemble(econtent, [si], certs), groups, trust)
        assert (r.status, r.signer) == (sod.AUTHENTIC, pki.ds_cert.subject.rfc4514_string())


def test_signer_named_by_subject_key_identifier(groups, trust, rsa_ds):
    pki = default_pki()
    key, cert = rsa_ds
    econtent = lds_security_object(groups)
    si = signer_info(key, cert, econtent, scheme="rsa", by_key_id=True)
    r = sod.passive_authentication(assemble(econtent, [si], [pki.ds_cert, cert]), groups, trust)
    assert (r.status, r.signer) == (sod.AUTHENTIC, cert.subject.rfc4514_string())


# ----------------------------------------------------------------------------- strict crypto

@pytest.mark.parametrize("scheme", ["ecdsa", "rsa", "rsa-plain", "pss"])
def test_each_signature_scheme_verifies(groups, trust, rsa_ds, scheme):
    key, cert = (default_pki().ds_key, default_pki().ds_cert) if scheme == "ecdsa" else rsa_ds
    raw = make_sod(groups, key, cert, scheme=scheme)
    parsed = sod.parse_sod(raw)
    expected_oid = {"ecdsa": "1.2.840.10045.4.3.2", "rsa": "1.2.840.113549.1.1.11",
                    "rsa-plain": sod.OID_RSA, "pss": sod.OID_PSS}[scheme]
    assert parsed.signers[0].signature_algorithm == expected_oid
    r = sod.passive_authentication(raw, groups, trust)
    assert (r.status, r.failed_check) == (sod.AUTHENTIC, None)
    assert r.signer == cert.subject.rfc4514_string()


@pytest.mark.parametrize("scheme", ["ecdsa", "rsa", "pss"])
def test_each_signature_scheme_refuses_another_key(groups, trust, rsa_ds, scheme):
    """Signed by a key other than the certificate's: the signature check fails."""
    if scheme == "ecdsa":
        key, cert = ec.generate_private_key(ec.SECP256R1()), default_pki().ds_cert
    else:
        key, cert = rsa.generate_private_key(public_exponent=65537, key_size=2048), rsa_ds[1]
    r = sod.passive_authentication(make_sod(groups, key, cert, scheme=scheme), groups, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "signature")


def test_pss_signature_with_a_flipped_byte_fails(groups, trust, rsa_ds):
    key, cert = rsa_ds
    econtent = lds_security_object(groups)
    si = signer_info(key, cert, econtent, scheme="pss")
    sig = bytearray(si["signature"].native)
    sig[10] ^= 1
    si["signature"] = bytes(sig)
    r = sod.passive_authentication(assemble(econtent, [si], [cert]), groups, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "signature")


def test_a_data_group_that_does_not_match_its_hash_fails(groups, trust):
    r = sod.passive_authentication(make_sod(groups), _edit(groups), trust)
    assert (r.status, r.failed_check, r.detail) == (sod.FAILED, "dg-hash", "DG13 does not match its hash in the SOD")


def test_edited_econtent_with_the_original_signature_fails_on_message_digest(groups, trust):
    """The LDSSecurityObject is rewritten to hash an altered DG13; the signed attributes (and so the
    signature) are the original ones: only the messageDigest check stands between them."""
    pki = default_pki()
    original = lds_security_object(groups)
    si = signer_info(pki.ds_key, pki.ds_cert, original)
    edited_groups = _edit(groups)
    forged = assemble(lds_security_object(edited_groups), [si], [pki.ds_cert])
    r = sod.passive_authentication(forged, edited_groups, trust)
    assert (r.status, r.failed_check, r.detail) == (sod.FAILED, "signed-attributes", "messageDigest does not match")


def test_content_type_attribute_must_name_the_econtent_type(groups, trust):
    pki = default_pki()
    econtent = lds_security_object(groups)
    si = signer_info(pki.ds_key, pki.ds_cert, econtent, content_type=sod.OID_LDS_SECURITY_OBJECT_ALT)
    raw = assemble(econtent, [si], [pki.ds_cert], content_type=sod.OID_LDS_SECURITY_OBJECT)
    r = sod.passive_authentication(raw, groups, trust)
    assert (r.status, r.failed_check, r.detail) == (sod.FAILED, "signed-attributes", "contentType attribute is wrong")


def test_a_signer_outside_the_trust_store_fails_the_chain(groups, trust):
    rogue_ca = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    cert = make_ds(key, "Rogue Document Signer", issuer_key=rogue_ca)  # the CSCA's name, another key
    r = sod.passive_authentication(make_sod(groups, key, cert), groups, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "chain")
    assert sod.passive_authentication(make_sod(groups, key, cert), groups, None).status == sod.INTEGRITY_ONLY


def test_no_certificate_in_the_sod(groups, trust):
    pki = default_pki()
    econtent = lds_security_object(groups)
    raw = assemble(econtent, [signer_info(pki.ds_key, pki.ds_cert, econtent)], [])
    r = sod.passive_authentication(raw, groups, trust)
    assert (r.status, r.failed_check) == (sod.FAILED, "certificate")


# ----------------------------------------------------------------------------- hostile data

_TWO_SIGNER_PSS = None


def _two_signer_pss_sod() -> bytes:
    global _TWO_SIGNER_PSS
    if _TWO_SIGNER_PSS is None:
        from kiosk.devices.cardreader.virtual import load_person

        files = build_files(load_person())
        groups = {1: files[0x0101], 13: files[0x010D]}
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        cert = make_ds(key, "Fuzz RSA Document Signer", ski=True)
        econtent = lds_security_object(groups)
        signers = [signer_info(key, cert, econtent, scheme="pss", by_key_id=True),
                   signer_info(default_pki().ds_key, default_pki().ds_cert, econtent)]
        _TWO_SIGNER_PSS = (assemble(econtent, signers, [cert, default_pki().ds_cert]), groups)
    return _TWO_SIGNER_PSS


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_two_signer_sod_never_raises(data):
    seed, groups = _two_signer_pss_sod()
    raw = data.draw(st.one_of(
        st.builds(lambda i, b: seed[:i] + bytes([b]) + seed[i + 1:],
                  st.integers(0, len(seed) - 1), st.integers(0, 255)),
        st.builds(lambda n: seed[:n], st.integers(0, len(seed))),
    ))
    try:
        sod.parse_sod(raw)
    except CardDataError:
        pass
    r = sod.passive_authentication(raw, groups, None)
    assert r.status in (sod.FAILED, sod.INTEGRITY_ONLY)
