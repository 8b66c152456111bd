"""TLS: verification is on; a certificate that does not verify is a typed error; a CA bundle
from kiosk.ini makes it verify; mutual TLS with a per-kiosk client certificate works."""

import datetime
import ipaddress
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gw_faults import FaultServer

from kiosk import config
from kiosk.gateway import errors as E
from kiosk.gateway.client import GatewayClient


def _cert(common_name, issuer_key=None, issuer_name=None, *, ca=False, san_ip=None, key=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name or subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san_ip:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(san_ip))]),
                                        critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return key, cert


def _write(path, key, cert):
    path.with_suffix(".key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path.with_suffix(".pem")), str(path.with_suffix(".key"))


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    ca_key, ca = _cert("Kiosk test CA", ca=True)
    srv_key, srv = _cert("127.0.0.1", ca_key, ca.subject, san_ip="127.0.0.1")
    cli_key, cli = _cert("KIOSK-TEST", ca_key, ca.subject)
    self_key, self_signed = _cert("127.0.0.1", san_ip="127.0.0.1")
    return {
        "ca": _write(d / "ca", ca_key, ca)[0],
        "server": _write(d / "server", srv_key, srv),
        "client": _write(d / "client", cli_key, cli),
        "self_signed": _write(d / "self", self_key, self_signed),
    }


def _server(cert, key, client_ca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(client_ca)
    return FaultServer(ssl_context=ctx)


def _settings(url, **gateway):
    return config.defaults(gateway={"url": url, "retries": 0, "connect_timeout": 2, "read_timeout": 5, **gateway})


def test_self_signed_certificate_does_not_verify(pki):
    srv = _server(*pki["self_signed"])
    try:
        client = GatewayClient.from_settings(_settings(srv.url))
        with pytest.raises(E.GatewayTlsError) as info:
            client.lookup_dossier("H26.99-241125-0001")
        assert info.value.message_key == "gateway.tls" and info.value.next_step == "next.call_technician"
    finally:
        srv.close()


def test_certificate_from_an_unknown_ca_does_not_verify(pki):
    srv = _server(*pki["server"])
    try:
        with pytest.raises(E.GatewayTlsError):
            GatewayClient.from_settings(_settings(srv.url)).lookup_dossier("H26.99-241125-0001")
        # with the CA from kiosk.ini it verifies
        ok = GatewayClient.from_settings(_settings(srv.url, ca_bundle=pki["ca"]))
        assert ok.lookup_dossier("H26.99-241125-0001").status == "received"
    finally:
        srv.close()


def test_mutual_tls(pki):
    srv = _server(*pki["server"], client_ca=pki["ca"])
    try:
        without = GatewayClient.from_settings(_settings(srv.url, ca_bundle=pki["ca"]))
        with pytest.raises((E.GatewayTlsError, E.GatewayUnavailable)):
            without.lookup_dossier("H26.99-241125-0001")
        cert, key = pki["client"]
        with_cert = GatewayClient.from_settings(_settings(srv.url, ca_bundle=pki["ca"], client_cert=cert,
                                                          client_key=key))
        assert with_cert.lookup_dossier("H26.99-241125-0001").status == "received"
    finally:
        srv.close()


def test_mutual_tls_names_the_kiosk_and_a_header_cannot_change_it(pki):
    from kiosk.gateway.embedded import EmbeddedGateway

    cert, key = pki["client"]  # its common name is KIOSK-TEST
    gw = EmbeddedGateway(None, app_kwargs={"demo": False},  # no tokens: the certificate is the credential
                         tls={"certfile": pki["server"][0], "keyfile": pki["server"][1], "client_ca": pki["ca"]})
    url = gw.start()
    try:
        assert url.startswith("https://127.0.0.1:")
        with_cert = _settings(url, ca_bundle=pki["ca"], client_cert=cert, client_key=key)
        mine = GatewayClient.from_settings(with_cert.replace(kiosk={"kiosk_id": "KIOSK-TEST"}))
        assert mine.lookup_dossier("H26.99-241125-0001").status == "received"
        mine.heartbeat({"printer": "online"})
        assert [r["kiosk_id"] for r in gw.app.state.store.query("SELECT kiosk_id FROM heartbeats")] == ["KIOSK-TEST"]
        posing = GatewayClient.from_settings(with_cert.replace(kiosk={"kiosk_id": "KIOSK-B"}))
        with pytest.raises(E.GatewayAuthError) as info:
            posing.lookup_dossier("H26.99-241125-0001")
        assert info.value.status == 403 and str(info.value) == "kiosk_id_mismatch"
        without = GatewayClient.from_settings(_settings(url, ca_bundle=pki["ca"]))
        with pytest.raises((E.GatewayTlsError, E.GatewayUnavailable)):
            without.lookup_dossier("H26.99-241125-0001")
    finally:
        gw.stop()
