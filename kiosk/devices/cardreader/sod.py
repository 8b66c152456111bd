"""EF.SOD and passive authentication (ICAO 9303-11 §5.1).

Three checks, in order: every data group read hashes to the value in the LDSSecurityObject;
the document signer's signature over the signed attributes verifies (and the messageDigest
attribute is the hash of the LDSSecurityObject); the DS certificate chains to a CSCA in the
trust store.  Without a trust store the result is ``integrity-only`` — never ``authentic``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from . import ber
from .errors import CardDataError

log = logging.getLogger(__name__)

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
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


@dataclass
class Sod:
    hash_algorithm: str
    dg_hashes: dict[int, bytes]
    econtent: bytes
    signed_attrs: bytes | None  # DER of the [0] IMPLICIT set, re-tagged as SET for verifying
    digest_algorithm: str
    signature_algorithm: str
    signature_params: bytes
    signature: bytes
    certificates: list[bytes]
    content_type_attr: str | None = None
    message_digest_attr: bytes | None = None


def _alg(t: ber.Tlv) -> tuple[str, bytes]:
    if t.tag != 0x30:
        raise CardDataError("AlgorithmIdentifier is not a SEQUENCE")
    parts = t.children()
    if not parts or parts[0].tag != 0x06:
        raise CardDataError("AlgorithmIdentifier without OID")
    params = parts[1].raw if len(parts) > 1 else b""
    return ber.decode_oid(parts[0].value), params


def _signed_data(data: bytes) -> list[ber.Tlv]:
    top = ber.parse(data)
    if top.tag == 0x77:  # EF.SOD wrapper
        top = ber.parse(top.value)
    if top.tag != 0x30:
        raise CardDataError("ContentInfo is not a SEQUENCE")
    parts = top.children()
    if len(parts) < 2 or parts[0].tag != 0x06 or ber.decode_oid(parts[0].value) != OID_SIGNED_DATA:
        raise CardDataError("not a CMS SignedData")
    if parts[1].tag != 0xA0:
        raise CardDataError("SignedData content missing")
    sd = ber.parse(parts[1].value)
    if sd.tag != 0x30:
        raise CardDataError("SignedData is not a SEQUENCE")
    return sd.children()


def _econtent(items: list[ber.Tlv]) -> tuple[str, bytes]:
    encap = items[2]
    if encap.tag != 0x30:
        raise CardDataError("encapContentInfo is not a SEQUENCE")
    eparts = encap.children()
    if not eparts or eparts[0].tag != 0x06:
        raise CardDataError("eContentType missing")
    ctype = ber.decode_oid(eparts[0].value)
    if len(eparts) < 2 or eparts[1].tag != 0xA0:
        raise CardDataError("eContent missing")
    octets = ber.parse(eparts[1].value)
    if octets.tag != 0x04:
        raise CardDataError("eContent is not an OCTET STRING")
    return ctype, octets.value


def parse_sod(data: bytes) -> Sod:
    items = _signed_data(data)
    if len(items) < 4:
        raise CardDataError("SignedData too short")
    ctype, econtent = _econtent(items)
    if ctype != OID_LDS_SECURITY_OBJECT:
        raise CardDataError("SOD does not hold an LDSSecurityObject")
    lso = ber.parse(econtent)
    if lso.tag != 0x30:
        raise CardDataError("LDSSecurityObject is not a SEQUENCE")
    lparts = lso.children()
    if len(lparts) < 3:
        raise CardDataError("LDSSecurityObject too short")
    hash_oid, _ = _alg(lparts[1])
    if hash_oid not in HASHES:
        raise CardDataError("unknown hash algorithm in the SOD")
    hashes: dict[int, bytes] = {}
    if lparts[2].tag != 0x30:
        raise CardDataError("dataGroupHashValues is not a SEQUENCE")
    for dgh in lparts[2].children():
        p = dgh.children() if dgh.tag == 0x30 else []
        if len(p) != 2 or p[0].tag != 0x02 or p[1].tag != 0x04:
            raise CardDataError("bad DataGroupHash")
        number = ber.decode_int(p[0].value)
        if not 1 <= number <= 16:
            raise CardDataError("data group number out of range")
        hashes[number] = p[1].value
    certs: list[bytes] = []
    rest = items[3:]
    signer_infos = None
    for t in rest:
        if t.tag == 0xA0:
            certs = [c.raw for c in t.children()]
        elif t.tag == 0x31:
            signer_infos = t
    if signer_infos is None:
        raise CardDataError("no signerInfos")
    infos = signer_infos.children()
    if len(infos) != 1 or infos[0].tag != 0x30:
        raise CardDataError("expected exactly one SignerInfo")
    sparts = infos[0].children()
    if len(sparts) < 5:
        raise CardDataError("SignerInfo too short")
    digest_oid, _ = _alg(sparts[2])
    pos = 3
    signed_attrs = None
    ct_attr = md_attr = None
    if sparts[pos].tag == 0xA0:
        signed_attrs = ber.tlv(0x31, sparts[pos].value)
        for attr in sparts[pos].children():
            ap = attr.children()
            if len(ap) == 2 and ap[0].tag == 0x06 and ap[1].tag == 0x31:
                aoid = ber.decode_oid(ap[0].value)
                vals = ap[1].children()
                if not vals:
                    continue
                if aoid == OID_CONTENT_TYPE and vals[0].tag == 0x06:
                    ct_attr = ber.decode_oid(vals[0].value)
                elif aoid == OID_MESSAGE_DIGEST and vals[0].tag == 0x04:
                    md_attr = vals[0].value
        pos += 1
    if pos + 1 >= len(sparts):
        raise CardDataError("SignerInfo without signature")
    sig_oid, sig_params = _alg(sparts[pos])
    sig = sparts[pos + 1]
    if sig.tag != 0x04:
        raise CardDataError("signature is not an OCTET STRING")
    if digest_oid not in HASHES:
        raise CardDataError("unknown digest algorithm in the SignerInfo")
    return Sod(HASHES[hash_oid], hashes, econtent, signed_attrs, HASHES[digest_oid], sig_oid, sig_params,
               sig.value, certs, ct_attr, md_attr)


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
    items = _signed_data(data)
    ctype, econtent = _econtent(items)
    if ctype != OID_MASTER_LIST:
        raise CardDataError("not an ICAO master list")
    ml = ber.parse(econtent)
    parts = ml.children()
    if len(parts) < 2 or parts[1].tag != 0x31:
        raise CardDataError("bad CscaMasterList")
    return [c.raw for c in parts[1].children()]


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


def _verify_signature(public_key, sig_oid: str, sig_params: bytes, signature: bytes, data: bytes, digest: str) -> None:
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
    # 2. signed attributes and DS signature
    if sod.signed_attrs is None:
        result.failed_check, result.detail = "signed-attributes", "no signed attributes"
        return result
    if sod.content_type_attr != OID_LDS_SECURITY_OBJECT:
        result.failed_check, result.detail = "signed-attributes", "contentType attribute is wrong"
        return result
    if sod.message_digest_attr != hashlib.new(sod.digest_algorithm, sod.econtent).digest():
        result.failed_check, result.detail = "signed-attributes", "messageDigest does not match"
        return result
    if not sod.certificates:
        result.failed_check, result.detail = "certificate", "no document signer certificate in the SOD"
        return result
    try:  # cryptography parses lazily: reading any field of a bad certificate may raise
        ds = x509.load_der_x509_certificate(sod.certificates[0])
        result.signer = ds.subject.rfc4514_string()
        ds_key = ds.public_key()
        ds_issuer = ds.issuer
    except Exception:
        result.failed_check, result.detail = "certificate", "document signer certificate unreadable"
        return result
    try:
        _verify_signature(ds_key, sod.signature_algorithm, sod.signature_params, sod.signature,
                          sod.signed_attrs, sod.digest_algorithm)
    except Exception as exc:
        result.failed_check, result.detail = "signature", f"document signer signature does not verify ({type(exc).__name__})"
        return result
    # 3. chain to a CSCA
    if trust is None or not trust.configured:
        result.status = INTEGRITY_ONLY
        result.detail = "chain not verified: no CSCA trust store configured"
        return result
    for csca in trust.certificates:
        try:
            if csca.subject != ds_issuer:
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
