"""A fake ESC/POS printer on a TCP socket (127.0.0.1) or a pseudo-terminal.

It walks the byte stream command by command (so image data is never mistaken for a status
request), answers DLE EOT n like an Epson-protocol printer, and keeps everything else.
``silent=True`` makes it never answer, like a printer without a back channel.
"""

from __future__ import annotations

import os
import select
import socket
import threading

from kiosk.devices.printer.status import reply_byte


def command_length(buf: bytes) -> int | None:
    """Length of the command at the head of ``buf``; None if more bytes are needed."""
    if not buf:
        return None
    b = buf[0]
    if b == 0x10:
        return 3 if len(buf) >= 3 else None
    if b == 0x1B:
        if len(buf) < 2:
            return None
        c = chr(buf[1])
        if c in "@2":
            return 2
        if c in "JaEt3d!-GMR= ":
            return 3
        if c == "*":
            if len(buf) < 5:
                return None
            rows = 3 if buf[2] in (32, 33) else 1
            return 5 + (buf[3] | buf[4] << 8) * rows
        return 2
    if b == 0x1D:
        if len(buf) < 3:
            return None
        c = chr(buf[1])
        if c in "!BHhwf":
            return 3
        if c == "V":
            return 4 if buf[2] in (65, 66) else 3
        if c == "v":
            if len(buf) < 8:
                return None
            return 8 + (buf[4] | buf[5] << 8) * (buf[6] | buf[7] << 8)
        if c == "(":
            if len(buf) < 5:
                return None
            return 5 + (buf[3] | buf[4] << 8)
        return 2
    return 1


class FakePrinterCore:
    def __init__(self, silent: bool = False):
        self.silent = silent
        self.paper_out = False
        self.near_end = False
        self.cover_open = False
        self.received = bytearray()  # everything except status requests
        self.status_requests: list[int] = []
        self._buf = bytearray()
        self.lock = threading.Lock()

    def consume(self, data: bytes) -> bytes:
        """Feed bytes; returns the bytes to send back."""
        out = bytearray()
        with self.lock:
            self._buf += data
            while True:
                n = command_length(bytes(self._buf[:8]))
                if n is None or n > len(self._buf):
                    break
                cmd = bytes(self._buf[:n])
                del self._buf[:n]
                if cmd[:2] == b"\x10\x04":
                    self.status_requests.append(cmd[2])
                    if not self.silent:
                        out.append(reply_byte(cover_open=self.cover_open, paper_out=self.paper_out,
                                              near_end=self.near_end, n=cmd[2]))
                else:
                    self.received += cmd
        return bytes(out)


class TcpFakePrinter(FakePrinterCore):
    def __init__(self, silent: bool = False):
        super().__init__(silent)
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(0.1)
            with conn:
                while not self._stop.is_set():
                    try:
                        data = conn.recv(65536)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if not data:
                        break
                    reply = self.consume(data)
                    if reply:
                        conn.sendall(reply)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.server.close()


class PtyFakePrinter(FakePrinterCore):
    """The printer end of a pseudo-terminal; ``path`` is the serial port the driver opens."""

    def __init__(self, silent: bool = False):
        super().__init__(silent)
        import tty

        self.master, self.slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                break
            reply = self.consume(data)
            if reply:
                os.write(self.master, reply)

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        os.close(self.master)
        os.close(self.slave)
