"""Tests written against surviving mutants of the module's security checks (scripts/mutation).

Passive authentication the way a forger, a broken chip or an odd trust store would meet it:
a second certificate with the document signer's key, a SignerInfo that names one certificate
and is signed by another, a signature algorithm that does not fit the key, two CSCAs with the
same name, an unreadable certificate or trust store file.  Every SOD is built with real keys
(the builders of test_sod_cms) and every result is compared whole.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import logging
from pathlib import Path

import pytest
from asn1crypto import cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from kiosk.devices.cardreader import ber, sod
from kiosk.devices.cardreader.virtual.pki import default_pki

from .test_sod_cms import SOD_LOG, _der, assemble, lds_security_object, make_ds, make_sod, signer_info

GROUPS = {1: b"DG1: the MRZ", 2: b"DG2: the face", 13: b"DG13: the holder", 14: b"DG14: the keys"}
PKI = default_pki()
DS_NAME = PKI.ds_cert.subject.rfc4514_string()
CSCA_NAME = PKI.csca_cert.subject.rfc4514_string()


def result(status, failed_check=None, detail="", signer="", csca="", groups=GROUPS, hash_algorithm="sha256"):
    return sod.PassiveAuthResult(status, failed_check, detail, tuple(sorted(groups)), hash_algorithm, signer, csca)


def failed(check, detail, signer=""):
    return result(sod.FAILED, check, detail, signer=signer)


AUTHENTIC = result(sod.AUTHENTIC, signer=DS_NAME, csca=CSCA_NAME)


@pytest.fixture(scope="module")
def trust() -> sod.TrustStore:
    return sod.TrustStore([PKI.csca_cert], source="test")


@pytest.fixture(scope="module")
def rsa_ds():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, make_ds(key, "Guard RSA Document Signer", ski=True)


def _econtent():
    return lds_security_object(GROUPS)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, common_name)])


def _cert(key, subject: str | x509.Name, *, issuer_name=None, issuer_key=None, serial=None, extensions=()):
    """A certificate for ``key`` under the CSCA's name as issuer, signed by a throw-away key."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(subject) if isinstance(subject, str) else subject)
               .issuer_name(issuer_name or PKI.csca_cert.subject).public_key(key.public_key())
               .serial_number(serial or x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30)))
    for ext in extensions:
        builder = builder.add_extension(ext, critical=False)
    return builder.sign(issuer_key or _ec(), hashes.SHA256())


def _twin(cert, key, subject="Twin With The Signer's Key", **kw):
    """A certificate for the same public key as ``cert`` under the CSCA's name, signed by
    someone else: it verifies the SOD's signature but does not chain."""
    return _cert(key, subject, issuer_name=cert.issuer, **kw)


def _ec():
    return ec.generate_private_key(ec.SECP256R1())


def ordered_sod(econtent: bytes, signers: list, certs: list, *, version: int = 3,
                content_type: str = sod.OID_LDS_SECURITY_OBJECT, wrap: bool = True) -> bytes:
    """EF.SOD with the certificates and SignerInfos in the order given (asn1crypto, as DER wants,
    sorts a SET OF by its encodings, which for signatures is random); a certificate or SignerInfo
    may be raw DER.  Version 1 is the PKCS#7 form (content as [0] EXPLICIT ANY)."""
    def raw(x):
        return x if isinstance(x, bytes) else x.dump() if isinstance(x, cms.SignerInfo) else _der(x)

    signed = ber.seq(
        ber.integer(version),
        ber.set_of(ber.seq(ber.oid("2.16.840.1.101.3.4.2.1"))),
        ber.seq(ber.oid(content_type), ber.tlv(0xA0, ber.octet_string(econtent))),
        ber.tlv(0xA0, b"".join(raw(c) for c in certs)) if certs is not None else b"",
        ber.set_of(*(raw(si) for si in signers), sort=False),
    )
    info = ber.seq(ber.oid(sod.OID_SIGNED_DATA), ber.tlv(0xA0, signed))
    return ber.tlv(0x77, info) if wrap else info


def attrs_signer(key, cert, attrs: list[dict], *, digest: str = "sha256") -> cms.SignerInfo:
    """An ECDSA SignerInfo over exactly the signed attributes given (asn1crypto dicts)."""
    attributes = cms.CMSAttributes(attrs)
    cert_asn1 = asn1_x509.Certificate.load(_der(cert))
    return cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier(name="issuer_and_serial_number", value={
            "issuer": cert_asn1.issuer, "serial_number": cert.serial_number}),
        "digest_algorithm": {"algorithm": digest},
        "signed_attrs": attributes,
        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
        "signature": key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256())),
    })


def content_type_attr(oid: str = sod.OID_LDS_SECURITY_OBJECT) -> dict:
    return {"type": "content_type", "values": [oid]}


def digest_attr(econtent: bytes, *more: bytes) -> dict:
    return {"type": "message_digest", "values": [hashlib.sha256(econtent).digest(), *more]}


def test_the_builder_keeps_the_order():
    econtent = _econtent()
    signers = [signer_info(_ec(), PKI.ds_cert, econtent), signer_info(PKI.ds_key, PKI.ds_cert, econtent)]
    certs = [_twin(PKI.ds_cert, PKI.ds_key), PKI.ds_cert]
    for order in ((0, 1), (1, 0)):
        parsed = sod.parse_sod(ordered_sod(econtent, [signers[i] for i in order], [certs[i] for i in order]))
        assert [s.signature for s in parsed.signers] == [signers[i]["signature"].native for i in order]
        assert parsed.certificates == [_der(certs[i]) for i in order]


JUNK_CERT = b"\x30\x03\x02\x01\x00"  # a SEQUENCE where a certificate belongs: nothing can read it


# --------------------------------------------------------------------------- results, whole

def test_an_authentic_sod_result_is_complete(trust):
    assert sod.passive_authentication(make_sod(GROUPS), GROUPS, trust) == AUTHENTIC


def test_without_a_trust_store_it_is_integrity_only(trust):
    expected = result(sod.INTEGRITY_ONLY, detail="chain not verified: no CSCA trust store configured", signer=DS_NAME)
    assert sod.passive_authentication(make_sod(GROUPS), GROUPS, None) == expected
    assert sod.passive_authentication(make_sod(GROUPS), GROUPS, sod.TrustStore([PKI.csca_cert])) == expected


def test_a_data_group_not_listed_in_the_sod_fails(trust):
    groups = {**GROUPS, 3: b"DG3: fingerprints"}
    r = sod.passive_authentication(make_sod(GROUPS), groups, trust)
    assert r == result(sod.FAILED, "dg-hash", "DG3 is not listed in the SOD", groups=groups)


def test_a_data_group_that_does_not_match_fails_with_the_sods_hash_algorithm(trust):
    groups = {**GROUPS, 14: b"DG14: other keys"}
    r = sod.passive_authentication(make_sod(GROUPS), groups, trust)
    assert r == result(sod.FAILED, "dg-hash", "DG14 does not match its hash in the SOD", groups=groups)


def test_a_chain_to_no_trusted_csca_fails_with_the_signers_name():
    other = sod.TrustStore([_cert(_ec(), "Another CSCA")], source="other")
    r = sod.passive_authentication(make_sod(GROUPS), GROUPS, other)
    assert r == failed("chain", "document signer does not chain to a trusted CSCA", DS_NAME)


def test_data_the_checks_cannot_handle_end_as_failed_never_as_an_exception(trust):
    for groups in ({1: None}, {1: b"x", "2": b"y"}):  # a caller's mistake: not bytes, not a number
        assert sod.passive_authentication(make_sod(GROUPS), groups, trust) == sod.PassiveAuthResult(
            sod.FAILED, "parse", "unexpected data (TypeError)")


# --------------------------------------------------------------------------- the chain

def test_a_csca_of_another_name_listed_first_does_not_hide_the_right_one():
    other = _cert(_ec(), "Another CSCA")
    store = sod.TrustStore([other, PKI.csca_cert], source="two")
    assert sod.passive_authentication(make_sod(GROUPS), GROUPS, store) == AUTHENTIC


def test_a_csca_of_the_same_name_with_another_key_does_not_hide_the_right_one():
    # key roll-over: two CSCAs share a name; only one issued this document signer
    rolled = _cert(_ec(), PKI.csca_cert.subject)
    store = sod.TrustStore([rolled, PKI.csca_cert], source="roll-over")
    assert sod.passive_authentication(make_sod(GROUPS), GROUPS, store) == AUTHENTIC
    alone = sod.TrustStore([rolled], source="the other key only")
    assert sod.passive_authentication(make_sod(GROUPS), GROUPS, alone) == failed(
        "chain", "document signer does not chain to a trusted CSCA", DS_NAME)


# --------------------------------------------------------------------------- which certificate

def test_the_certificate_the_signer_names_is_the_one_chained(trust):
    """Two certificates hold the signer's key; the SignerInfo's issuer and serial name the real
    one, listed second.  The twin carries the CSCA's name as issuer and even the real one's
    serial's neighbour: only the named one is tried first, so the SOD is authentic."""
    econtent = _econtent()
    si = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    for twin in (_twin(PKI.ds_cert, PKI.ds_key),
                 _twin(PKI.ds_cert, PKI.ds_key, serial=PKI.ds_cert.serial_number + 1)):
        raw = ordered_sod(econtent, [si], [twin, PKI.ds_cert])
        assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC
        raw = ordered_sod(econtent, [si], [PKI.ds_cert, twin])
        assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC


def test_a_twin_with_the_same_serial_under_another_issuer_is_not_the_named_one(trust):
    econtent = _econtent()
    si = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    twin = _cert(PKI.ds_key, "Twin", issuer_name=_name("Elsewhere"), serial=PKI.ds_cert.serial_number)
    raw = ordered_sod(econtent, [si], [twin, PKI.ds_cert])
    assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC


def test_the_certificate_named_by_key_identifier_is_the_one_chained(trust, rsa_ds):
    key, cert = rsa_ds
    econtent = _econtent()
    si = signer_info(key, cert, econtent, scheme="rsa", by_key_id=True)
    twin = _twin(cert, key)  # no subjectKeyIdentifier
    raw = ordered_sod(econtent, [si], [twin, cert])
    expected = result(sod.AUTHENTIC, signer=cert.subject.rfc4514_string(), csca=CSCA_NAME)
    assert sod.passive_authentication(raw, GROUPS, trust) == expected


def test_a_certificate_whose_key_identifier_cannot_be_read_is_not_the_named_one(trust, rsa_ds):
    key, cert = rsa_ds
    econtent = _econtent()
    si = signer_info(key, cert, econtent, scheme="rsa", by_key_id=True)
    bad_ski = x509.UnrecognizedExtension(x509.oid.ExtensionOID.SUBJECT_KEY_IDENTIFIER, b"\x05\x00")
    twin = _twin(cert, key, extensions=[bad_ski])
    raw = ordered_sod(econtent, [si], [twin, cert])
    assert sod.passive_authentication(raw, GROUPS, trust).status == sod.AUTHENTIC


def test_a_signer_that_names_one_certificate_and_is_signed_with_another_verifies(trust, rsa_ds):
    """The name is a hint for the order; the signature is what counts: every certificate is tried."""
    key, cert = rsa_ds
    econtent = _econtent()
    si = signer_info(key, PKI.ds_cert, econtent, scheme="rsa")  # names the EC DS, RSA-signed
    raw = ordered_sod(econtent, [si], [PKI.ds_cert, cert])
    expected = result(sod.AUTHENTIC, signer=cert.subject.rfc4514_string(), csca=CSCA_NAME)
    assert sod.passive_authentication(raw, GROUPS, trust) == expected


def test_a_signature_no_certificate_verifies_reports_the_named_certificate(trust, rsa_ds):
    _, cert = rsa_ds
    econtent = _econtent()
    forger = _ec()
    si = signer_info(forger, PKI.ds_cert, econtent)  # names the DS, signed by another key
    for certs in ([cert, PKI.ds_cert], [PKI.ds_cert, cert]):
        r = sod.passive_authentication(ordered_sod(econtent, [si], certs), GROUPS, trust)
        assert r == failed("signature", "document signer signature does not verify (InvalidSignature)", DS_NAME)


def test_an_unreadable_certificate_before_the_signers_is_skipped(trust):
    econtent = _econtent()
    si = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    raw = ordered_sod(econtent, [si], [JUNK_CERT, PKI.ds_cert])
    assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC


def test_only_unreadable_certificates(trust):
    econtent = _econtent()
    raw = ordered_sod(econtent, [signer_info(PKI.ds_key, PKI.ds_cert, econtent)], [JUNK_CERT])
    assert sod.passive_authentication(raw, GROUPS, trust) == failed(
        "certificate", "document signer certificate unreadable")


def test_no_certificate(trust):
    econtent = _econtent()
    raw = assemble(econtent, [signer_info(PKI.ds_key, PKI.ds_cert, econtent)], [])
    assert sod.passive_authentication(raw, GROUPS, trust) == failed(
        "certificate", "no document signer certificate in the SOD")


# --------------------------------------------------------------------------- signed attributes

def test_a_signer_without_signed_attributes_fails(trust):
    econtent = _econtent()
    named = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    si = cms.SignerInfo({  # the signature is over the content itself: allowed by CMS, not by ICAO
        "version": "v1", "sid": named["sid"], "digest_algorithm": {"algorithm": "sha256"},
        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
        "signature": PKI.ds_key.sign(econtent, ec.ECDSA(hashes.SHA256())),
    })
    raw = assemble(econtent, [si], [PKI.ds_cert])
    assert sod.passive_authentication(raw, GROUPS, trust) == failed("signed-attributes", "no signed attributes")


def test_content_type_and_message_digest_failures_name_no_signer(trust):
    econtent = _econtent()
    wrong_type = signer_info(PKI.ds_key, PKI.ds_cert, econtent, content_type=sod.OID_LDS_SECURITY_OBJECT_ALT)
    r = sod.passive_authentication(assemble(econtent, [wrong_type], [PKI.ds_cert]), GROUPS, trust)
    assert r == failed("signed-attributes", "contentType attribute is wrong")
    other = lds_security_object({**GROUPS, 2: b"another face"})
    stale = signer_info(PKI.ds_key, PKI.ds_cert, other)  # its messageDigest is another content's
    r = sod.passive_authentication(assemble(econtent, [stale], [PKI.ds_cert]), GROUPS, trust)
    assert r == failed("signed-attributes", "messageDigest does not match")


def test_a_signer_with_a_problem_names_no_signer(trust):
    econtent = _econtent()
    si = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    si["digest_algorithm"] = {"algorithm": "md5"}
    r = sod.passive_authentication(assemble(econtent, [si], [PKI.ds_cert]), GROUPS, trust)
    assert r == failed("parse", "unknown digest algorithm in the SignerInfo")


# --------------------------------------------------------------------------- log lines

def test_one_signer_logs_nothing_two_log_which_verified(trust, caplog):
    econtent = _econtent()
    good = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    bogus = signer_info(_ec(), PKI.ds_cert, econtent)
    with caplog.at_level(logging.DEBUG, logger=SOD_LOG):
        assert sod.passive_authentication(ordered_sod(econtent, [good], [PKI.ds_cert]), GROUPS, trust) == AUTHENTIC
    assert [rec.getMessage() for rec in caplog.records if rec.name == SOD_LOG] == []
    with caplog.at_level(logging.DEBUG, logger=SOD_LOG):
        raw = ordered_sod(econtent, [bogus, good], [PKI.ds_cert])
        assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC
    assert [rec.getMessage() for rec in caplog.records if rec.name == SOD_LOG] == [
        "SOD holds 2 SignerInfos; the first that verifies is used", "SOD: SignerInfo 2 of 2 verified"]


# --------------------------------------------------------------------------- signature algorithms

_H = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
      "sha512": hashes.SHA512}
DATA = b"the signed attributes"


@pytest.mark.parametrize("digest", list(_H))
def test_ecdsa_with_each_hash(digest):
    key = _ec()
    sig = key.sign(DATA, ec.ECDSA(_H[digest]()))
    oid = {v: k for k, v in sod.SIG_ECDSA.items()}[digest]
    sod._verify_signature(key.public_key(), oid, sig, DATA, "sha256")  # the OID says the hash
    sod._verify_signature(key.public_key(), "1.2.840.10045.2.1", sig, DATA, digest)  # the digest says it
    with pytest.raises(InvalidSignature):
        sod._verify_signature(key.public_key(), oid, sig, DATA + b".", "sha256")


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


@pytest.mark.parametrize("digest", list(_H))
def test_rsa_pkcs1_and_pss_with_each_hash(rsa_key, digest):
    h = _H[digest]
    pkcs1 = rsa_key.sign(DATA, padding.PKCS1v15(), h())
    oid = {v: k for k, v in sod.SIG_RSA.items()}[digest]
    sod._verify_signature(rsa_key.public_key(), oid, pkcs1, DATA, "sha256")
    sod._verify_signature(rsa_key.public_key(), sod.OID_RSA, pkcs1, DATA, digest)
    pss = rsa_key.sign(DATA, padding.PSS(padding.MGF1(h()), 20), h())
    sod._verify_signature(rsa_key.public_key(), sod.OID_PSS, pss, DATA, digest)
    with pytest.raises(InvalidSignature):
        sod._verify_signature(rsa_key.public_key(), sod.OID_PSS, pss, DATA + b".", digest)


@pytest.mark.parametrize("oid", [*sod.SIG_RSA, sod.OID_RSA, sod.OID_PSS, "1.2.3.4", "1.2.840.10045.2"])
def test_an_ec_key_refuses_every_algorithm_that_is_not_ecdsa(oid):
    key = _ec()
    sig = key.sign(DATA, ec.ECDSA(hashes.SHA256()))  # a good ECDSA signature: only the OID is wrong
    with pytest.raises(ValueError, match="^signature algorithm does not match an EC key$"):
        sod._verify_signature(key.public_key(), oid, sig, DATA, "sha256")


@pytest.mark.parametrize("oid", [*sod.SIG_ECDSA, "1.2.840.10045.2.1", "1.2.3.4"])
def test_an_rsa_key_refuses_every_algorithm_that_is_not_rsa(rsa_key, oid):
    sig = rsa_key.sign(DATA, padding.PKCS1v15(), hashes.SHA256())  # good PKCS#1: only the OID is wrong
    with pytest.raises(ValueError, match="^signature algorithm does not match an RSA key$"):
        sod._verify_signature(rsa_key.public_key(), oid, sig, DATA, "sha256")


def test_another_key_type_is_refused():
    key = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(ValueError, match="^unsupported public key type$"):
        sod._verify_signature(key.public_key(), "1.3.101.112", key.sign(DATA), DATA, "sha256")


def test_an_ec_signature_algorithm_on_an_rsa_signer_fails_the_sod(trust, rsa_ds):
    key, cert = rsa_ds
    econtent = _econtent()
    si = signer_info(key, cert, econtent, scheme="rsa")
    si["signature_algorithm"] = {"algorithm": "sha256_ecdsa"}  # a good PKCS#1 signature, an ECDSA label
    r = sod.passive_authentication(assemble(econtent, [si], [cert]), GROUPS, trust)
    assert r == failed("signature", "document signer signature does not verify (ValueError)",
                       cert.subject.rfc4514_string())


# --------------------------------------------------------------------------- trust store files

def _pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def test_a_single_pem_or_der_file_is_a_trust_store(tmp_path):
    for name, data in (("csca.pem", _pem(PKI.csca_cert)), ("csca.der", _der(PKI.csca_cert))):
        path = tmp_path / name
        path.write_bytes(data)
        store = sod.load_trust_store(path)
        assert (store.certificates, store.source, store.problems) == ([PKI.csca_cert], str(path), [])
        assert store.configured


def test_a_folder_reads_every_file_and_says_which_were_not_certificates(tmp_path):
    (tmp_path / "a.der").write_bytes(_der(PKI.csca_cert))
    (tmp_path / "b.der").write_bytes(b"not a certificate")
    (tmp_path / "c.pem").write_bytes(_pem(PKI.ds_cert))
    store = sod.load_trust_store(tmp_path)
    assert store.certificates == [PKI.csca_cert, PKI.ds_cert]
    assert store.problems == ["b.der: not a certificate or master list (ValueError)"]
    assert store.source == str(tmp_path)


def test_an_unreadable_file_is_reported_and_the_next_one_still_read(tmp_path, monkeypatch):
    (tmp_path / "a.der").write_bytes(_der(PKI.ds_cert))
    (tmp_path / "b.der").write_bytes(_der(PKI.csca_cert))
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "a.der":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    store = sod.load_trust_store(tmp_path)
    assert store.certificates == [PKI.csca_cert]
    assert store.problems == ["a.der: Permission denied"]


def test_a_trust_store_that_does_not_exist(tmp_path):
    path = tmp_path / "missing"
    store = sod.load_trust_store(path)
    assert (store.certificates, store.source, store.problems) == ([], str(path), [f"{path}: does not exist"])
    assert store.configured  # configured, and empty: every chain fails rather than "integrity-only"
    assert sod.passive_authentication(make_sod(GROUPS), GROUPS, store).failed_check == "chain"
    assert not sod.load_trust_store(None).configured and not sod.load_trust_store("").configured


# --------------------------------------------------------------------------- reading the SOD

def test_a_sod_without_its_tag_77_wrapper_reads(trust):
    econtent = _econtent()
    raw = ordered_sod(econtent, [signer_info(PKI.ds_key, PKI.ds_cert, econtent)], [PKI.ds_cert], wrap=False)
    assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC


def test_a_version_1_signed_data_reads(trust):
    econtent = _econtent()
    raw = ordered_sod(econtent, [signer_info(PKI.ds_key, PKI.ds_cert, econtent)], [PKI.ds_cert], version=1)
    assert sod.parse_sod(raw).econtent == econtent
    assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC


def _parse_failure(raw: bytes, detail: str):
    with pytest.raises(sod.CardDataError) as exc:
        sod.parse_sod(raw)
    assert exc.value.detail == detail
    assert sod.passive_authentication(raw, GROUPS, None) == sod.PassiveAuthResult(sod.FAILED, "parse", detail)


def test_what_is_not_a_signed_data_is_refused_by_name():
    econtent = _econtent()
    si = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    _parse_failure(ber.tlv(0x77, ber.octet_string(b"x")), "ContentInfo is not a SEQUENCE")
    _parse_failure(ber.tlv(0x31, b""), "ContentInfo is not a SEQUENCE")
    good = ordered_sod(econtent, [si], [PKI.ds_cert], wrap=False)
    data = good.replace(ber.oid(sod.OID_SIGNED_DATA), ber.oid("1.2.840.113549.1.7.1"), 1)
    _parse_failure(ber.tlv(0x77, data), "not a CMS SignedData")
    _parse_failure(ber.tlv(0x77, ber.seq(ber.oid(sod.OID_SIGNED_DATA))), "SignedData content missing")
    detached = ber.seq(ber.integer(3), ber.set_of(), ber.seq(ber.oid(sod.OID_LDS_SECURITY_OBJECT)),
                       ber.set_of(si.dump()))
    _parse_failure(ber.tlv(0x77, ber.seq(ber.oid(sod.OID_SIGNED_DATA), ber.tlv(0xA0, detached))), "eContent missing")
    _parse_failure(ber.tlv(0x77, ber.seq(ber.oid(sod.OID_SIGNED_DATA), ber.tlv(0xA0, ber.seq(ber.integer(3))))),
                   "SOD structure unreadable (ValueError)")


def test_no_signer_info():
    _parse_failure(ordered_sod(_econtent(), [], [PKI.ds_cert]), "no SignerInfo")


def _lds(numbers, hash_oid="2.16.840.1.101.3.4.2.1") -> bytes:
    return ber.seq(ber.integer(0), ber.seq(ber.oid(hash_oid)),
                   ber.seq(*(ber.seq(ber.integer(n), ber.octet_string(bytes(32))) for n in numbers)))


def test_data_group_numbers_one_to_sixteen_read_and_no_other():
    parsed = sod.parse_sod(_sod_over(_lds([1, 16])))
    assert parsed.dg_hashes == {1: bytes(32), 16: bytes(32)} and parsed.hash_algorithm == "sha256"
    for number in (0, 17, -1):
        _parse_failure(_sod_over(_lds([1, number])), "data group number out of range")
    _parse_failure(_sod_over(_lds([1, 2, 1])), "data group listed twice in the SOD")


@pytest.mark.parametrize("oid, name", list(sod.HASHES.items()))
def test_each_hash_algorithm_of_the_lds_security_object(oid, name):
    assert sod.parse_sod(_sod_over(_lds([1], oid))).hash_algorithm == name


def test_an_unknown_hash_algorithm_of_the_lds_security_object():
    _parse_failure(_sod_over(_lds([1], "1.2.840.113549.2.5")), "unknown hash algorithm in the SOD")  # MD5


def _sod_over(econtent: bytes) -> bytes:
    return ordered_sod(econtent, [signer_info(PKI.ds_key, PKI.ds_cert, econtent)], [PKI.ds_cert])


def test_the_parsed_sod(trust):
    econtent = _econtent()
    raw = ordered_sod(econtent, [signer_info(PKI.ds_key, PKI.ds_cert, econtent)], [PKI.ds_cert])
    parsed = sod.parse_sod(raw)
    assert (parsed.content_type, parsed.hash_algorithm, parsed.econtent, parsed.certificates) == (
        sod.OID_LDS_SECURITY_OBJECT, "sha256", econtent, [_der(PKI.ds_cert)])
    assert parsed.dg_hashes == {n: hashlib.sha256(v).digest() for n, v in GROUPS.items()}
    (signer,) = parsed.signers
    asn1_cert = asn1_x509.Certificate.load(_der(PKI.ds_cert))
    attrs = cms.CMSAttributes([content_type_attr(), digest_attr(econtent)])
    assert signer == sod.Signer(
        "sha256", "1.2.840.10045.4.3.2", signer.signature, attrs.dump(), sod.OID_LDS_SECURITY_OBJECT,
        hashlib.sha256(econtent).digest(), asn1_cert.issuer.dump(), PKI.ds_cert.serial_number, None, None)


def test_a_signer_named_by_key_identifier_is_read(rsa_ds):
    key, cert = rsa_ds
    econtent = _econtent()
    si = signer_info(key, cert, econtent, scheme="rsa", by_key_id=True)
    (signer,) = sod.parse_sod(ordered_sod(econtent, [si], [])).signers
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert (signer.sid_key_id, signer.sid_issuer, signer.sid_serial) == (ski, None, None)


@pytest.mark.parametrize("digest, oid", [("sha1", "1.3.14.3.2.26"), ("sha224", "2.16.840.1.101.3.4.2.4"),
                                         ("sha384", "2.16.840.1.101.3.4.2.2"), ("sha512", "2.16.840.1.101.3.4.2.3")])
def test_each_signer_digest_algorithm(trust, digest, oid):
    econtent = _econtent()
    attrs = [content_type_attr(), {"type": "message_digest", "values": [hashlib.new(digest, econtent).digest()]}]
    si = attrs_signer(PKI.ds_key, PKI.ds_cert, attrs, digest=digest)
    raw = ordered_sod(econtent, [si], [PKI.ds_cert])
    assert sod.parse_sod(raw).signers[0].digest_algorithm == digest
    assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC


def test_other_signed_attributes_are_skipped_whatever_their_place(trust):
    econtent = _econtent()
    signing_time = cms.Time(name="utc_time", value=core.UTCTime(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    for extra in ({"type": "1.2.3", "values": [core.Null()]},  # sorts before contentType
                  {"type": "signing_time", "values": [signing_time]}):  # sorts between the two
        si = attrs_signer(PKI.ds_key, PKI.ds_cert, [extra, content_type_attr(), digest_attr(econtent)])
        assert sod.passive_authentication(ordered_sod(econtent, [si], [PKI.ds_cert]), GROUPS, trust) == AUTHENTIC


@pytest.mark.parametrize("attrs, detail", [
    (lambda e: [content_type_attr(), content_type_attr(sod.OID_LDS_SECURITY_OBJECT_ALT), digest_attr(e)],
     "contentType or messageDigest attribute repeated"),
    (lambda e: [content_type_attr(), digest_attr(e), digest_attr(e + b".")],
     "contentType or messageDigest attribute repeated"),
    (lambda e: [content_type_attr(), digest_attr(e, bytes(32))], "messageDigest attribute must have exactly one value"),
    (lambda e: [{"type": "content_type", "values": [sod.OID_LDS_SECURITY_OBJECT, sod.OID_LDS_SECURITY_OBJECT_ALT]},
                digest_attr(e)], "contentType attribute must have exactly one value"),
    (lambda e: [{"type": "content_type", "values": []}, digest_attr(e)],
     "contentType attribute must have exactly one value"),
])
def test_repeated_or_many_valued_attributes_are_refused(trust, attrs, detail):
    econtent = _econtent()
    si = attrs_signer(PKI.ds_key, PKI.ds_cert, attrs(econtent))
    raw = ordered_sod(econtent, [si], [PKI.ds_cert])
    assert sod.passive_authentication(raw, GROUPS, trust) == failed("signed-attributes", detail)
    # the same signer after a good one does not matter
    good = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    assert sod.passive_authentication(ordered_sod(econtent, [good, si], [PKI.ds_cert]), GROUPS, trust) == AUTHENTIC


def test_missing_content_type_or_message_digest_attribute(trust):
    econtent = _econtent()
    for attrs, detail in (([digest_attr(econtent)], "contentType attribute is wrong"),
                          ([content_type_attr()], "messageDigest does not match")):
        si = attrs_signer(PKI.ds_key, PKI.ds_cert, attrs)
        r = sod.passive_authentication(ordered_sod(econtent, [si], [PKI.ds_cert]), GROUPS, trust)
        assert r == failed("signed-attributes", detail)


def test_an_unreadable_signer_info_is_a_parse_failure_that_does_not_hide_a_good_one(trust):
    econtent = _econtent()
    junk = ber.seq(ber.integer(1), ber.octet_string(b"x"))
    r = sod.passive_authentication(ordered_sod(econtent, [junk], [PKI.ds_cert]), GROUPS, trust)
    assert (r.status, r.failed_check, r.signer) == (sod.FAILED, "parse", "")
    assert r.detail.startswith("SignerInfo unreadable (") and r.detail.endswith(")")
    good = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    assert sod.passive_authentication(ordered_sod(econtent, [junk, good], [PKI.ds_cert]), GROUPS, trust) == AUTHENTIC


def test_only_the_first_eight_signer_infos_are_looked_at(trust):
    econtent = _econtent()
    forger = _ec()
    bogus = signer_info(forger, PKI.ds_cert, econtent)
    good = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    assert sod.passive_authentication(ordered_sod(econtent, [bogus] * 7 + [good], [PKI.ds_cert]), GROUPS,
                                      trust) == AUTHENTIC
    raw = ordered_sod(econtent, [bogus] * 8 + [good], [PKI.ds_cert])
    assert len(sod.parse_sod(raw).signers) == 8
    assert sod.passive_authentication(raw, GROUPS, trust) == failed(
        "signature", "document signer signature does not verify (InvalidSignature)", DS_NAME)


def test_only_the_first_sixteen_certificates_are_looked_at(trust):
    econtent = _econtent()
    si = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    assert sod.passive_authentication(ordered_sod(econtent, [si], [JUNK_CERT] * 15 + [PKI.ds_cert]), GROUPS,
                                      trust) == AUTHENTIC
    raw = ordered_sod(econtent, [si], [JUNK_CERT] * 16 + [PKI.ds_cert])
    assert sod.parse_sod(raw).certificates == [JUNK_CERT] * 16
    assert sod.passive_authentication(raw, GROUPS, trust) == failed(
        "certificate", "document signer certificate unreadable")


def test_other_certificate_choices_are_skipped(trust):
    econtent = _econtent()
    si = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    attribute_cert = ber.tlv(0xA2, ber.seq(ber.integer(1)))  # [2] v2AttrCert: not a certificate
    raw = ordered_sod(econtent, [si], [attribute_cert, PKI.ds_cert])
    assert sod.parse_sod(raw).certificates == [_der(PKI.ds_cert)]
    assert sod.passive_authentication(raw, GROUPS, trust) == AUTHENTIC


def test_no_certificates_field():
    econtent = _econtent()
    raw = ordered_sod(econtent, [signer_info(PKI.ds_key, PKI.ds_cert, econtent)], None)
    assert sod.parse_sod(raw).certificates == []


# --------------------------------------------------------------------------- master lists, results

def _master_list(*certs, content_type: str = sod.OID_MASTER_LIST) -> bytes:
    content = ber.seq(ber.integer(0), ber.set_of(*(_der(c) for c in certs)))
    signed = ber.seq(ber.integer(3), ber.set_of(), ber.seq(ber.oid(content_type),
                     ber.tlv(0xA0, ber.octet_string(content))), ber.set_of())
    return ber.seq(ber.oid(sod.OID_SIGNED_DATA), ber.tlv(0xA0, signed))


def test_a_master_list_file_of_any_suffix_case(tmp_path):
    other = _cert(_ec(), "Second CSCA")
    path = tmp_path / "VN.ML"
    path.write_bytes(_master_list(PKI.csca_cert, other))
    store = sod.load_trust_store(path)
    assert sorted(c.subject.rfc4514_string() for c in store.certificates) == sorted(
        [CSCA_NAME, other.subject.rfc4514_string()])
    assert store.problems == []


def test_what_is_not_a_master_list_is_refused(tmp_path):
    assert len(sod._master_list_certs(_master_list(PKI.csca_cert))) == 1
    for data, detail in (
            (_master_list(PKI.csca_cert, content_type=sod.OID_LDS_SECURITY_OBJECT), "not an ICAO master list"),
            (ber.seq(ber.oid(sod.OID_SIGNED_DATA), ber.tlv(0xA0, ber.seq(ber.integer(3)))),
             "master list unreadable (ValueError)"),
            (ber.octet_string(b"x"), "ContentInfo is not a SEQUENCE")):
        with pytest.raises(sod.CardDataError) as exc:
            sod._master_list_certs(data)
        assert exc.value.detail == detail
    (tmp_path / "sod.ml").write_bytes(_master_list(PKI.csca_cert, content_type=sod.OID_LDS_SECURITY_OBJECT))
    store = sod.load_trust_store(tmp_path)
    assert (store.certificates, store.problems) == ([], ["sod.ml: not a certificate or master list (CardDataError)"])


def test_result_as_dict_and_ok(trust):
    r = sod.passive_authentication(make_sod(GROUPS), GROUPS, trust)
    assert r.as_dict() == {"status": "authentic", "failed_check": None, "detail": "", "checked_groups": [1, 2, 13, 14],
                           "hash_algorithm": "sha256", "signer": DS_NAME, "csca": CSCA_NAME}
    assert r.ok and result(sod.INTEGRITY_ONLY).ok and not failed("chain", "x").ok


def test_the_parsed_signer_of_an_unreadable_or_refused_signer_info():
    econtent = _econtent()
    junk = ber.seq(ber.integer(1), ber.octet_string(b"x"))
    many = attrs_signer(PKI.ds_key, PKI.ds_cert, [content_type_attr(), digest_attr(econtent, bytes(32))])
    md5 = signer_info(PKI.ds_key, PKI.ds_cert, econtent)
    md5["digest_algorithm"] = {"algorithm": "md5"}
    signers = sod.parse_sod(ordered_sod(econtent, [junk, many, md5], [PKI.ds_cert])).signers
    assert signers[:2] == [
        sod.Signer("", "", b"", None, problem=("parse", "SignerInfo unreadable (ValueError)")),
        sod.Signer("", "", b"", None,
                   problem=("signed-attributes", "messageDigest attribute must have exactly one value")),
    ]
    issuer = asn1_x509.Certificate.load(_der(PKI.ds_cert)).issuer.dump()
    assert signers[2] == sod.Signer("", "1.2.840.10045.4.3.2", md5["signature"].native, None, sid_issuer=issuer,
                                    sid_serial=PKI.ds_cert.serial_number,
                                    problem=("parse", "unknown digest algorithm in the SignerInfo"))
