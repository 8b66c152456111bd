"""Test PKI for the virtual card: a CSCA and a document signer generated at start-up, and the
EF.SOD (CMS SignedData over an LDSSecurityObject) they sign.  Never used for real cards."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from .. import ber
from ..sod import HASH_OIDS, OID_CONTENT_TYPE, OID_LDS_SECURITY_OBJECT, OID_MESSAGE_DIGEST, OID_SIGNED_DATA

OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"


@dataclass
class TestPki:
    csca_key: object
    csca_cert: object
    ds_key: object
    ds_cert: object

    def csca_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.csca_cert.public_bytes(serialization.Encoding.PEM)

    def write_trust_store(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "test-csca.pem"
        path.write_bytes(self.csca_pem())
        return path


def _name(cn: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiosk test PKI"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def generate(label: str = "Test") -> TestPki:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca_name = _name(f"{label} CSCA")
    csca = (
        x509.CertificateBuilder().subject_name(csca_name).issuer_name(csca_name)
        .public_key(csca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(csca_key, hashes.SHA256())
    )
    ds_key = ec.generate_private_key(ec.SECP256R1())
    ds = (
        x509.CertificateBuilder().subject_name(_name(f"{label} Document Signer")).issuer_name(csca_name)
        .public_key(ds_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(csca_key, hashes.SHA256())
    )
    return TestPki(csca_key, csca, ds_key, ds)


_lock = threading.Lock()
_default: TestPki | None = None


def default_pki() -> TestPki:
    """One test PKI per process, generated on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = generate()
        return _default


def build_sod(groups: dict[int, bytes], pki: TestPki, hash_name: str = "sha256") -> bytes:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    halg = ber.seq(ber.oid(HASH_OIDS[hash_name]))
    lso = ber.seq(
        ber.integer(0),
        halg,
        ber.seq(*[ber.seq(ber.integer(n), ber.octet_string(hashlib.new(hash_name, groups[n]).digest()))
                  for n in sorted(groups)]),
    )
    attrs = ber.set_of(
        ber.seq(ber.oid(OID_CONTENT_TYPE), ber.set_of(ber.oid(OID_LDS_SECURITY_OBJECT))),
        ber.seq(ber.oid(OID_MESSAGE_DIGEST), ber.set_of(ber.octet_string(hashlib.new(hash_name, lso).digest()))),
    )
    signature = pki.ds_key.sign(attrs, ec.ECDSA(hashes.SHA256()))
    ds_der = pki.ds_cert.public_bytes(serialization.Encoding.DER)
    issuer = pki.ds_cert.issuer.public_bytes()
    signer_info = ber.seq(
        ber.integer(1),
        ber.seq(issuer, ber.integer(pki.ds_cert.serial_number)),
        halg,
        ber.tlv(0xA0, ber.parse(attrs).value),
        ber.seq(ber.oid(OID_ECDSA_SHA256)),
        ber.octet_string(signature),
    )
    signed_data = ber.seq(
        ber.integer(3),
        ber.set_of(halg),
        ber.seq(ber.oid(OID_LDS_SECURITY_OBJECT), ber.tlv(0xA0, ber.octet_string(lso))),
        ber.tlv(0xA0, ds_der),
        ber.set_of(signer_info),
    )
    return ber.tlv(0x77, ber.seq(ber.oid(OID_SIGNED_DATA), ber.tlv(0xA0, signed_data)))
