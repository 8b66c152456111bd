"""systemd notification (sd_notify) in plain Python: readiness, watchdog pings, status.

systemd passes ``NOTIFY_SOCKET`` (a datagram Unix socket; a leading ``@`` means the abstract
namespace) and, with ``WatchdogSec=``, ``WATCHDOG_USEC`` (and ``WATCHDOG_PID``).  Outside
systemd every function is a cheap no-op returning False, so the kiosk runs the same in a
terminal, in tests and as an appliance.

Where the app calls them (``kiosk.screens.technician.install_watchdog`` does this through
``kiosk.screens.EXTENSIONS``):

- ``ready()`` once the first frame is on screen;
- ``ping()`` every ``interval()`` seconds **from the UI thread** (Kivy's Clock), so a frozen UI
  stops the pings and systemd restarts the kiosk (``Restart=on-failure``);
- ``stopping()`` when the app stops; ``status(text)`` for ``systemctl status``.
"""

from __future__ import annotations

import os
import socket

__all__ = ["notify", "ready", "ping", "stopping", "status", "interval", "enabled"]


def _address() -> str | None:
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return None
    if addr.startswith("@"):
        return "\0" + addr[1:]
    return addr


def notify(message: str) -> bool:
    """Send one notification (e.g. ``"READY=1"``); True when it was sent."""
    addr = _address()
    if not addr:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(addr)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError:
        return False


def interval() -> float | None:
    """Seconds between pings (half of WatchdogSec), or None when no watchdog is asked for.

    ``WATCHDOG_PID`` names the process systemd watches; the kiosk may also run as the child
    of a kiosk compositor (``cage -- kiosk``) that systemd started: then the parent's pid
    matches and the unit uses ``NotifyAccess=all``.
    """
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = os.environ.get("WATCHDOG_PID")
    if pid and pid.isdigit() and int(pid) not in (os.getpid(), os.getppid()):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 2e6 if value > 0 else None


def enabled() -> bool:
    return _address() is not None


def ready() -> bool:
    return notify("READY=1")


def ping() -> bool:
    return notify("WATCHDOG=1")


def stopping() -> bool:
    return notify("STOPPING=1")


def status(text: str) -> bool:
    return notify("STATUS=" + text.replace("\n", " ")[:200])
