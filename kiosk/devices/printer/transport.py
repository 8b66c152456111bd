"""Byte pipes to the printer, over python-escpos connectors (Usb, Serial, Network, File).

``Transport`` adds what the driver needs on top of a connector: reads with a timeout (for
DLE EOT) that return b"" on silence, and a clear ``readable`` flag (a File connector cannot
read, so its status is always unknown).
"""

from __future__ import annotations

import logging

log = logging.getLogger("kiosk.printer")


class TransportError(OSError):
    """The printer cannot be reached or the link broke."""


class Transport:
    name = "transport"
    readable = True

    def open(self) -> None:
        raise NotImplementedError

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, timeout: float = 0.5) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def begin_job(self) -> None:
        """Called before each receipt (the simulator starts a new sheet)."""


class EscposTransport(Transport):
    """A python-escpos connector (``kind`` = usb | serial | network | file)."""

    def __init__(self, kind: str, connector, name: str):
        self.kind = kind
        self.connector = connector
        self.name = name
        self.readable = kind != "file"
        self._open = False
        self.bytes_per_second: float | None = None  # link speed, for post-print waits

    def open(self) -> None:
        if self._open:
            return
        try:
            self.connector.open(raise_not_found=True)
        except Exception as exc:  # DeviceNotFoundError, USBError, OSError…
            raise TransportError(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        self._open = True

    def write(self, data: bytes) -> None:
        if not self._open:
            self.open()
        try:
            self.connector._raw(data)
            if self.kind == "file":
                self.connector.flush()
        except Exception as exc:
            self._open = False
            raise TransportError(f"{self.name}: write failed: {type(exc).__name__}") from exc

    def read(self, timeout: float = 0.5) -> bytes:
        if not self.readable or not self._open:
            return b""
        dev = self.connector.device
        timeout = max(timeout, 0.01)
        try:
            if self.kind == "network":
                dev.settimeout(timeout)
                return dev.recv(16)
            if self.kind == "serial":
                dev.timeout = timeout
                return dev.read(1)
            if self.kind == "usb":
                return bytes(dev.read(self.connector.in_ep, 16, int(timeout * 1000)))
        except (TimeoutError, BlockingIOError):
            return b""
        except Exception as exc:
            if "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower():
                return b""
            self._open = False
            raise TransportError(f"{self.name}: read failed: {type(exc).__name__}") from exc
        return b""

    def close(self) -> None:
        if self._open:
            try:
                self.connector.close()
            except Exception:
                log.warning("printer close failed", exc_info=True)
        self._open = False


class UnavailableTransport(Transport):
    """A link that cannot even be set up (missing library…): every open fails with why."""

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason

    def open(self) -> None:
        raise TransportError(f"{self.name}: {self.reason}")

    def write(self, data: bytes) -> None:
        self.open()

    def read(self, timeout: float = 0.5) -> bytes:
        return b""


def from_settings(settings) -> Transport:
    """The connector named by kiosk.ini; a link that cannot be built reports why on open()."""
    try:
        return _from_settings(settings)
    except Exception as exc:  # e.g. pyusb missing for usb
        log.error("printer link cannot be set up")
        return UnavailableTransport(f"{settings.devices.printer} printer", f"{type(exc).__name__}: {exc}")


def _escpos_cache(settings) -> None:
    """python-escpos pickles its capabilities on import, into a new temporary folder unless
    told where: keep one cache folder under the kiosk's data_dir instead."""
    import os

    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        try:
            cache = settings.data_dir / "cache" / "escpos"
            cache.mkdir(parents=True, exist_ok=True)
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        except OSError:
            pass


def _from_settings(settings) -> EscposTransport:
    _escpos_cache(settings)
    d = settings.devices
    kind = d.printer
    if kind == "usb":
        from escpos.printer import Usb

        conn = Usb(idVendor=d.printer_usb_vendor, idProduct=d.printer_usb_product, timeout=2000)
        name = f"usb {d.printer_usb_vendor:04x}:{d.printer_usb_product:04x}"
    elif kind == "serial":
        from escpos.printer import Serial

        conn = Serial(devfile=d.printer_serial_port, baudrate=d.printer_serial_baud, timeout=1)
        name = f"serial {d.printer_serial_port}@{d.printer_serial_baud}"
        transport = EscposTransport(kind, conn, name)
        transport.bytes_per_second = d.printer_serial_baud / 10
        return transport
    elif kind == "network":
        from escpos.printer import Network

        conn = Network(host=d.printer_host, port=d.printer_port, timeout=5)
        name = f"network {d.printer_host}:{d.printer_port}"
    elif kind == "file":
        from escpos.printer import File

        path = settings.resolve_path(d.printer_file) or d.printer_file
        conn = File(devfile=str(path))
        name = f"file {path}"
    else:
        raise ValueError(f"not a real printer connection: {kind}")
    return EscposTransport(kind, conn, name)
