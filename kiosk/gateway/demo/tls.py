"""Mutual TLS for the demo gateway: the kiosk a client certificate names.

uvicorn verifies the client certificate against the client CA (``ssl_cert_reqs=CERT_REQUIRED``)
but does not pass it to the app.  ``ClientCertH11Protocol`` reads it when the connection is
made (the handshake is over by then) and puts the certificate subject's common name into every
request's ``scope["state"]`` under ``CLIENT_CERT_KIOSK``, where ``kiosk_identity`` finds it.
A real gateway does the same with its TLS terminator (e.g. a verified-subject header from a
proxy it alone can reach).
"""

from __future__ import annotations

import ssl

from uvicorn.protocols.http.h11_impl import H11Protocol

from kiosk.gateway.demo.auth import CLIENT_CERT_KIOSK, KIOSK_RX


def common_name(peercert: dict | None) -> str | None:
    """The subject's common name of a verified peer certificate (``ssl.getpeercert()``), when
    it is a well-formed kiosk id."""
    for rdn in (peercert or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName" and isinstance(value, str) and KIOSK_RX.fullmatch(value):
                return value
    return None


class ClientCertH11Protocol(H11Protocol):
    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        kiosk = common_name(ssl_object.getpeercert()) if ssl_object is not None else None
        self.app_state = {**self.app_state, CLIENT_CERT_KIOSK: kiosk}


def uvicorn_tls(certfile: str, keyfile: str, client_ca: str | None = None) -> dict:
    """uvicorn settings serving HTTPS; with ``client_ca``, requiring a client certificate it
    signed and naming the kiosk by it."""
    out: dict = {"ssl_certfile": certfile, "ssl_keyfile": keyfile}
    if client_ca:
        out.update(ssl_ca_certs=client_ca, ssl_cert_reqs=ssl.CERT_REQUIRED, http=ClientCertH11Protocol)
    return out
