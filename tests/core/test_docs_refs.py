"""The threat model and the architecture page name real things: every test the threat model
cites exists (a reviewer checks the page against the tests), and every path the architecture
page names is in the tree."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def cited_tests(text: str) -> list[tuple[str, str | None]]:
    """(file, test name or None) for each `tests/…py` or `::name` cited; a bare `::name`
    belongs to the file cited last."""
    cited, current = [], None
    for m in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", text):
        path, name = m.group(1), m.group(2)
        if path:
            current = path
        if path or name:
            cited.append((current, name))
    return cited


def test_every_test_the_threat_model_cites_exists():
    cited = cited_tests((ROOT / "docs" / "threat-model.md").read_text(encoding="utf-8"))
    assert len(cited) > 40
    missing = []
    for path, name in cited:
        source = ROOT / path
        if not source.exists():
            missing.append(path)
        elif name and not re.search(rf"^def {name}\(", source.read_text(encoding="utf-8"), re.M):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_path_the_architecture_page_names_exists():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`(kiosk/[\w/.]+)`", text))
    assert len(paths) > 10
    assert sorted(p for p in paths if not (ROOT / p.rstrip("/")).exists()) == []
