"""EF.SOD and passive authentication (ICAO 9303-11 §5.1).

Three checks, in order: every data group read hashes to the value in the LDSSecurityObject;
the document signer's signature over the signed attributes verifies (and the messageDigest
attribute is the hash of the LDSSecurityObject); the DS certificate chains to a CSCA in the
trust store.  Without a trust store the result is ``integrity-only`` — never ``authentic``.

The CMS structure is read with asn1crypto and is lenient where real chips differ: any of the
three eContentType OIDs in use for the LDS security object, more than one SignerInfo (the first
that verifies is used), certificates in any order.  The cryptography is strict and stays on
``cryptography``: signature, messageDigest and contentType attributes, and the chain.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509

from . import ber
from .errors import CardDataError

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

log = logging.getLogger(__name__)

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"  # id-icao-mrtd-security-ldsSecurityObject (9303-10)
OID_LDS_SECURITY_OBJECT_ALT = "1.3.27.1.1.1"  # a mistaken form of the above, found on issued documents
OID_LDS_SECURITY_OBJECT_SDU = "1.2.528.1.1006.1.20.1"  # Enschede/Sdu's id, from an early worked example
LDS_SECURITY_OBJECT_OIDS = frozenset({OID_LDS_SECURITY_OBJECT, OID_LDS_SECURITY_OBJECT_ALT,
                                      OID_LDS_SECURITY_OBJECT_SDU})
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_MASTER_LIST = "2.23.136.1.1.2"

HASHES = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
HASH_OIDS = {v: k for k, v in HASHES.items()}

SIG_ECDSA = {
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}
SIG_RSA = {
    "1.2.840.113549.1.1.5": "sha1",
    "1.2.840.113549.1.1.14": "sha224",
    "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384",
    "1.2.840.113549.1.1.13": "sha512",
}
OID_RSA = "1.2.840.113549.1.1.1"
OID_PSS = "1.2.840.113549.1.1.10"

AUTHENTIC = "authentic"
INTEGRITY_ONLY = "integrity-only"
FAILED = "failed"


MAX_SIGNERS = 8  # SignerInfos and certificates looked at: bounds the work hostile data can cause
MAX_CERTIFICATES = 16


# --------------------------------------------------------------------------- ASN.1 of the LDS

class DataGroupHash(core.Sequence):
    _fields = [
        ("data_group_number", core.Integer),
        ("data_group_hash_value", core.OctetString),
    ]


class DataGroupHashValues(core.SequenceOf):
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):
    _fields = [
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class LDSSecurityObject(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


class _CertificateSet(core.SetOf):
    _child_spec = asn1_x509.Certificate


class CscaMasterList(core.Sequence):  # ICAO 9303-12 §9
    _fields = [
        ("version", core.Integer),
        ("cert_list", _CertificateSet),
    ]


# --------------------------------------------------------------------------- parsing

@dataclass
class Signer:
    """One SignerInfo, as read.  ``problem`` is (failed check, detail) when it cannot be used."""

    digest_algorithm: str
    signature_algorithm: str  # its parameters are not read: see _verify_signature
    signature: bytes
    signed_attrs: bytes | None  # DER of the [0] IMPLICIT set, re-tagged as SET for verifying
    content_type_attr: str | None = None
    message_digest_attr: bytes | None = None
    sid_issuer: bytes | None = None  # DER of the issuer Name (issuerAndSerialNumber)
    sid_serial: int | None = None
    sid_key_id: bytes | None = None  # subjectKeyIdentifier
    problem: tuple[str, str] | None = None


@dataclass
class Sod:
    content_type: str  # one of LDS_SECURITY_OBJECT_OIDS
    hash_algorithm: str
    dg_hashes: dict[int, bytes]
    econtent: bytes
    certificates: list[bytes]
    signers: list[Signer]


def _unreadable(what: str, exc: Exception) -> CardDataError:
    return CardDataError(f"{what} unreadable ({type(exc).__name__})")


def _signed_data(data: bytes) -> cms.SignedData:
    top = ber.parse(data)
    if top.tag == 0x77:  # EF.SOD wrapper
        top = ber.parse(top.value)
    if top.tag != 0x30:
        raise CardDataError("ContentInfo is not a SEQUENCE")
    info = cms.ContentInfo.load(top.raw)
    if info["content_type"].dotted != OID_SIGNED_DATA:
        raise CardDataError("not a CMS SignedData")
    sd = info["content"]
    if not isinstance(sd, cms.SignedData):
        raise CardDataError("SignedData content missing")
    return sd


def _econtent(sd: cms.SignedData) -> tuple[str, bytes]:
    encap = sd["encap_content_info"]
    ctype = encap["content_type"].dotted
    content = encap["content"]
    if isinstance(content, core.Void):
        raise CardDataError("eContent missing")
    if isinstance(content, core.Any):  # a version 1 SignedData: PKCS#7 ContentInfo
        content = content.parse(core.OctetString)
    return ctype, bytes(content)


def _lds_security_object(econtent: bytes) -> tuple[str, dict[int, bytes]]:
    lso = LDSSecurityObject.load(econtent)
    hash_oid = lso["hash_algorithm"]["algorithm"].dotted
    if hash_oid not in HASHES:
        raise CardDataError("unknown hash algorithm in the SOD")
    hashes: dict[int, bytes] = {}
    for dgh in lso["data_group_hash_values"]:
        number = dgh["data_group_number"].native
        if not 1 <= number <= 16:
            raise CardDataError("data group number out of range")
        if number in hashes:
            raise CardDataError("data group listed twice in the SOD")
        hashes[number] = dgh["data_group_hash_value"].native
    return HASHES[hash_oid], hashes


def _single_value(attr, name: str):
    values = attr["values"]
    if len(values) != 1:
        raise CardDataError(f"{name} attribute must have exactly one value")
    return values[0]


def _signer(si: cms.SignerInfo) -> Signer:
    digest_oid = si["digest_algorithm"]["algorithm"].dotted
    signer = Signer(HASHES.get(digest_oid, ""), si["signature_algorithm"]["algorithm"].dotted,
                    si["signature"].native, None)
    sid = si["sid"]
    if sid.name == "issuer_and_serial_number":
        signer.sid_issuer = sid.chosen["issuer"].dump()
        signer.sid_serial = sid.chosen["serial_number"].native
    else:
        signer.sid_key_id = sid.chosen.native
    if digest_oid not in HASHES:
        signer.problem = ("parse", "unknown digest algorithm in the SignerInfo")
        return signer
    attrs = si["signed_attrs"]
    if isinstance(attrs, core.Void):
        return signer
    signer.signed_attrs = ber.tlv(0x31, attrs.contents)
    seen: set[str] = set()
    for attr in attrs:
        aoid = attr["type"].dotted
        if aoid not in (OID_CONTENT_TYPE, OID_MESSAGE_DIGEST):
            continue
        if aoid in seen:  # RFC 5652 §5.3: each of these appears once, with one value
            signer.problem = ("signed-attributes", "contentType or messageDigest attribute repeated")
            return signer
        seen.add(aoid)
        if aoid == OID_CONTENT_TYPE:
            signer.content_type_attr = _single_value(attr, "contentType").dotted
        else:
            signer.message_digest_attr = _single_value(attr, "messageDigest").native
    return signer


def _signers(sd: cms.SignedData) -> list[Signer]:
    infos = list(sd["signer_infos"])
    if not infos:
        raise CardDataError("no SignerInfo")
    signers = []
    for si in infos[:MAX_SIGNERS]:
        try:
            signers.append(_signer(si))
        except CardDataError as exc:
            signers.append(Signer("", "", b"", None, problem=("signed-attributes", exc.detail)))
        except Exception as exc:  # one unreadable SignerInfo does not hide a good one
            problem = ("parse", f"SignerInfo unreadable ({type(exc).__name__})")
            signers.append(Signer("", "", b"", None, problem=problem))
    return signers


def _certificates(sd: cms.SignedData) -> list[bytes]:
    certs = sd["certificates"]
    if isinstance(certs, core.Void):
        return []
    out = []
    for choice in certs:
        if choice.name == "certificate":  # other CertificateChoices (attribute certificates…) are skipped
            out.append(choice.chosen.dump())
    return out[:MAX_CERTIFICATES]


def parse_sod(data: bytes) -> Sod:
    """The LDSSecurityObject, the certificates and the SignerInfos of an EF.SOD; a
    ``CardDataError`` for anything unreadable (never another exception)."""
    try:
        sd = _signed_data(data)
        ctype, econtent = _econtent(sd)
        if ctype not in LDS_SECURITY_OBJECT_OIDS:
            raise CardDataError("SOD does not hold an LDSSecurityObject")
        hash_algorithm, hashes = _lds_security_object(econtent)
        return Sod(ctype, hash_algorithm, hashes, econtent, _certificates(sd), _signers(sd))
    except CardDataError:
        raise
    except Exception as exc:  # asn1crypto parses lazily: bad data surfaces as ValueError, TypeError…
        raise _unreadable("SOD structure", exc) from None


# --------------------------------------------------------------------------- trust store

@dataclass
class TrustStore:
    certificates: list = field(default_factory=list)  # cryptography x509.Certificate
    source: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def configured(self) -> bool:
        return bool(self.source)


def _master_list_certs(data: bytes) -> list[bytes]:
    try:
        sd = _signed_data(data)
        ctype, econtent = _econtent(sd)
        if ctype != OID_MASTER_LIST:
            raise CardDataError("not an ICAO master list")
        return [cert.dump() for cert in CscaMasterList.load(econtent)["cert_list"]]
    except CardDataError:
        raise
    except Exception as exc:
        raise _unreadable("master list", exc) from None


def load_trust_store(path: str | Path | None) -> TrustStore:
    """CSCA certificates from a folder of PEM/DER files, one such file, or an ICAO master list
    (.ml, whose own signature is not checked here: install master lists from a trusted channel)."""
    if not path:
        return TrustStore()
    from cryptography import x509

    p = Path(path)
    store = TrustStore(source=str(p))
    files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
    if not p.exists():
        store.problems.append(f"{p}: does not exist")
        return store
    for f in files:
        try:
            raw = f.read_bytes()
        except OSError as exc:
            store.problems.append(f"{f.name}: {exc.strerror}")
            continue
        try:
            if b"-----BEGIN CERTIFICATE-----" in raw:
                store.certificates.extend(x509.load_pem_x509_certificates(raw))
            elif f.suffix.lower() == ".ml":
                for der in _master_list_certs(raw):
                    store.certificates.append(x509.load_der_x509_certificate(der))
            else:
                store.certificates.append(x509.load_der_x509_certificate(raw))
        except Exception as exc:
            store.problems.append(f"{f.name}: not a certificate or master list ({type(exc).__name__})")
    return store


# --------------------------------------------------------------------------- passive authentication

@dataclass
class PassiveAuthResult:
    status: str  # authentic / integrity-only / failed
    failed_check: str | None = None  # dg-hash / signed-attributes / signature / certificate / chain / parse
    detail: str = ""
    checked_groups: tuple[int, ...] = ()
    hash_algorithm: str = ""
    signer: str = ""  # DS certificate subject (an issuer's name, not personal data)
    csca: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "failed_check": self.failed_check,
            "detail": self.detail,
            "checked_groups": list(self.checked_groups),
            "hash_algorithm": self.hash_algorithm,
            "signer": self.signer,
            "csca": self.csca,
        }


def _verify_signature(public_key, sig_oid: str, signature: bytes, data: bytes, digest: str) -> None:
    """Raises unless ``signature`` over ``data`` verifies with ``public_key`` by ``sig_oid``.

    RSASSA-PSS parameters are not read: the hash and the MGF1 hash are taken to be the SignerInfo's
    digest algorithm (RFC 4056 requires the first and recommends the second), the salt may have any
    length.  A signature made otherwise fails; none passes that the key did not make."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    def h(name):
        return {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
                "sha384": hashes.SHA384, "sha512": hashes.SHA512}[name]()

    if isinstance(public_key, ec.EllipticCurvePublicKey):
        name = SIG_ECDSA.get(sig_oid, digest if sig_oid == "1.2.840.10045.2.1" else None)
        if name is None:
            raise ValueError("signature algorithm does not match an EC key")
        public_key.verify(signature, data, ec.ECDSA(h(name)))
    elif isinstance(public_key, rsa.RSAPublicKey):
        if sig_oid == OID_PSS:
            public_key.verify(signature, data, padding.PSS(padding.MGF1(h(digest)), padding.PSS.AUTO), h(digest))
        else:
            name = SIG_RSA.get(sig_oid, digest if sig_oid == OID_RSA else None)
            if name is None:
                raise ValueError("signature algorithm does not match an RSA key")
            public_key.verify(signature, data, padding.PKCS1v15(), h(name))
    else:
        raise ValueError("unsupported public key type")


def passive_authentication(sod_bytes: bytes, groups: dict[int, bytes], trust: TrustStore | None) -> PassiveAuthResult:
    """Run the three checks; never raises for bad data: the result says which check failed."""
    try:
        return _passive_authentication(sod_bytes, groups, trust)
    except Exception as exc:  # hostile data must end as "failed", never as a traceback
        return PassiveAuthResult(FAILED, "parse", f"unexpected data ({type(exc).__name__})")


def _passive_authentication(sod_bytes: bytes, groups: dict[int, bytes], trust: TrustStore | None) -> PassiveAuthResult:
    from cryptography import x509

    try:
        sod = parse_sod(sod_bytes)
    except CardDataError as exc:
        return PassiveAuthResult(FAILED, "parse", exc.detail)
    result = PassiveAuthResult(FAILED, hash_algorithm=sod.hash_algorithm, checked_groups=tuple(sorted(groups)))
    # 1. data group hashes
    for number, content in sorted(groups.items()):
        expected = sod.dg_hashes.get(number)
        if expected is None:
            result.failed_check, result.detail = "dg-hash", f"DG{number} is not listed in the SOD"
            return result
        if hashlib.new(sod.hash_algorithm, content).digest() != expected:
            result.failed_check, result.detail = "dg-hash", f"DG{number} does not match its hash in the SOD"
            return result
    # 2. signed attributes and DS signature: the first SignerInfo that verifies is used; when
    #    none does, the first one's failure is reported
    certs = []
    for der in sod.certificates:
        try:  # cryptography parses lazily: reading any field of a bad certificate may raise
            cert = x509.load_der_x509_certificate(der)
            cert.public_key(), cert.issuer, cert.subject.rfc4514_string()
        except Exception:
            continue
        certs.append((der, cert))
    if len(sod.signers) > 1:
        log.warning("SOD holds %d SignerInfos; the first that verifies is used", len(sod.signers))
    failures = []
    verified = None
    for index, signer in enumerate(sod.signers):
        outcome = _check_signer(sod, signer, certs)
        if isinstance(outcome, tuple):
            failures.append(outcome)
            continue
        verified = outcome
        if index:
            log.info("SOD: SignerInfo %d of %d verified", index + 1, len(sod.signers))
        break
    if verified is None:
        result.failed_check, result.detail, result.signer = failures[0]
        return result
    ds = verified
    result.signer = ds.subject.rfc4514_string()
    # 3. chain to a CSCA
    if trust is None or not trust.configured:
        result.status = INTEGRITY_ONLY
        result.detail = "chain not verified: no CSCA trust store configured"
        return result
    for csca in trust.certificates:
        try:
            if csca.subject != ds.issuer:
                continue
            ds.verify_directly_issued_by(csca)
        except Exception:
            continue
        result.status = AUTHENTIC
        result.csca = csca.subject.rfc4514_string()
        result.detail = ""
        return result
    result.failed_check, result.detail = "chain", "document signer does not chain to a trusted CSCA"
    return result


def _names_signer(signer: Signer, der: bytes) -> bool:
    """Whether the SignerInfo's sid names this certificate (a hint for the order certificates are
    tried in: the signature is what counts)."""
    try:
        cert = asn1_x509.Certificate.load(der)
        if signer.sid_key_id is not None:
            return cert.key_identifier == signer.sid_key_id
        tbs = cert["tbs_certificate"]
        return tbs["issuer"].dump() == signer.sid_issuer and tbs["serial_number"].native == signer.sid_serial
    except Exception:
        return False


def _check_signer(sod: Sod, signer: Signer,
                  certs: list[tuple[bytes, Certificate]]) -> tuple[str, str, str] | Certificate:
    """The DS certificate (cryptography) whose key verifies this SignerInfo, or
    (failed check, detail, signer name) saying why none does."""
    if signer.problem:
        return (*signer.problem, "")
    if signer.signed_attrs is None:
        return ("signed-attributes", "no signed attributes", "")
    if signer.content_type_attr != sod.content_type:
        return ("signed-attributes", "contentType attribute is wrong", "")
    if signer.message_digest_attr != hashlib.new(signer.digest_algorithm, sod.econtent).digest():
        return ("signed-attributes", "messageDigest does not match", "")
    if not sod.certificates:
        return ("certificate", "no document signer certificate in the SOD", "")
    if not certs:
        return ("certificate", "document signer certificate unreadable", "")
    ordered = sorted(certs, key=lambda c: not _names_signer(signer, c[0]))  # named one(s) first
    errors = []  # the first one is reported
    for _, cert in ordered:
        try:
            _verify_signature(cert.public_key(), signer.signature_algorithm, signer.signature,
                              signer.signed_attrs, signer.digest_algorithm)
        except Exception as exc:
            errors.append(exc)
            continue
        return cert
    return ("signature", f"document signer signature does not verify ({type(errors[0]).__name__})",
            ordered[0][1].subject.rfc4514_string())
