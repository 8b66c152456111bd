"""The gateway's catalog: life events and provinces.  Not personal and rarely changed: fetched
once, kept for the kiosk's life (across citizens), shared by every journey that needs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.core import KioskCore, Task


class Catalog:
    def __init__(self, core: KioskCore):
        self.core = core
        self._cache: dict[str, list] = {}

    def _get(self, name: str, fetch: Callable[[Any], Any]) -> Task:
        cached = self._cache.get(name)
        if cached:
            return Task.resolved(cached, f"catalog-{name}")

        def keep(items: Any) -> list:
            self._cache[name] = list(items)
            return self._cache[name]

        return self.core.gateway_call(lambda gw: keep(fetch(gw)), f"catalog-{name}")

    def provinces(self) -> Task:
        """The provinces the gateway accepts (submit's form and address, result delivery)."""
        return self._get("provinces", lambda gw: gw.provinces())

    def life_events(self) -> Task:
        return self._get("life_events", lambda gw: gw.life_events())

    def province_names(self) -> list[str]:
        """The provinces' names as the gateway lists them (once fetched)."""
        return [p.name for p in self._cache.get("provinces") or ()]
