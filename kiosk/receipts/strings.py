"""Every string printed on a receipt, read from the gettext catalogs.

The strings live in the kiosk's catalogs, ``assets/locales/<lang>/LC_MESSAGES/kiosk.po``, under
msgids ``receipt.<key>`` (``receipt.dossier.title``, ``receipt.money``...), and are read through
``kiosk.i18n`` like every other string.  One file per language keeps all of a language in
front of its translator, and the catalog checks (same keys in every language, none empty)
cover paper too.  Values may use ``str.format`` fields ({amount}, {n}, {site}, {counter}).

``labels(lang)`` is a read-only mapping key → text (``KeyError`` for a key the catalog lacks;
``.get`` gives a default, as the builders do for status and method codes).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

from kiosk import i18n

PREFIX = "receipt."


class Labels(Mapping):
    """The receipt strings of one language: ``labels["agency"]`` is msgid ``receipt.agency``."""

    def __init__(self, lang: str):
        if lang not in i18n.LANGUAGES:
            raise ValueError(f"unknown receipt language {lang!r} (expected {' or '.join(i18n.LANGUAGES)})")
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        value = i18n.text(PREFIX + key, self.lang)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(k[len(PREFIX):] for k in i18n.keys(self.lang) if k.startswith(PREFIX)))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"Labels({self.lang!r})"


@functools.cache
def labels(lang: str) -> Labels:
    return Labels(lang)
