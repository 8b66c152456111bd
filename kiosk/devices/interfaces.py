"""What the journeys need of each device, as typed interfaces.

The real drivers and their simulated twins both satisfy these; a driver that could not be
built (``registry.UnavailableDevice``) satisfies none, so ``usable()`` gives None for it and a
journey tells the citizen what to do instead.  The gateway's interface is
``kiosk.gateway.interface.Gateway``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")


@runtime_checkable
class CardReader(Protocol):
    def read_identity(self, key: Any, progress: Callable[[float, str], None] | None = None,
                      cancel: threading.Event | None = None) -> Any: ...

    def add_card_listener(self, cb: Callable[[bool], None]) -> Callable[[], None]: ...

    def card_present(self) -> bool: ...


class Deduper(Protocol):
    def reset(self) -> None: ...


@runtime_checkable
class QrSource(Protocol):
    source_name: str
    deduper: Deduper

    @property
    def running(self) -> bool: ...

    def start(self, on_scan: Callable[[Any], None]) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def stop(self) -> None: ...

    def preview(self) -> Any: ...


@runtime_checkable
class Printer(Protocol):
    def print_receipt(self, receipt: Any) -> Any: ...


def usable(device: Any, interface: type[T]) -> T | None:
    """``device`` when it implements ``interface``, else None (not configured, or not built)."""
    return device if device is not None and isinstance(device, interface) else None
