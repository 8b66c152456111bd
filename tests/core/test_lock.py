"""requirements.lock (made by pip-compile from pyproject.toml, with hashes) and pyproject.toml
agree: every dependency of the kiosk and of its test extra is pinned in the lock, at a version
its specifier in pyproject allows, with at least one hash; the lock pins nothing twice; and
./scripts/setup installs from the lock with hashes required."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)(?P<marker>\s*;[^\\]*)?")


def lock_pins() -> dict[str, tuple[Version, int]]:
    """name → (pinned version, number of hashes)."""
    pins: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = PIN.match(line)
        if m:
            name = canonicalize_name(m["name"])
            assert name not in pins, f"{name} pinned twice"
            pins[name] = (Version(m["version"]), 0)
            current = name
        elif "--hash=sha256:" in line and current is not None:
            version, count = pins[current]
            pins[current] = (version, count + 1)
        elif line.startswith(("-e", "--find-links", "--index-url", "--extra-index-url", "file:", "git+")):
            raise AssertionError(f"the lock must not name a local or private source: {line}")
    return pins


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for r in project["optional-dependencies"]["test"]]
    return reqs


def test_every_dependency_is_pinned_at_a_version_pyproject_allows():
    pins = lock_pins()
    env = default_environment()
    problems = []
    for req in project_requirements():
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: not in requirements.lock")
            continue
        version, hashes = pins[name]
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: lock pins {version}, pyproject asks {req.specifier}")
        if hashes == 0:
            problems.append(f"{req.name}: pinned without a hash")
    assert not problems, "requirements.lock and pyproject.toml disagree (run pip-compile, see scripts/setup):\n" + \
        "\n".join(problems)


def test_every_pin_has_hashes():
    pins = lock_pins()
    assert len(pins) > 20
    assert all(count > 0 for _, count in pins.values()), [n for n, (_, c) in pins.items() if not c]


def test_the_floors_stay_above_the_advisories():
    """The lowest version pyproject allows is past the published advisories of the libraries
    that parse what the chip sends (cryptography, Pillow) and of the HTTP client."""
    floors = {"requests": "2.32.4", "cryptography": "50.0.0", "pillow": "12.3"}
    seen = set()
    for req in project_requirements():
        name = canonicalize_name(req.name)
        if name in floors:
            seen.add(name)
            lowest = min((Version(s.version) for s in req.specifier if s.operator in (">=", "==")), default=None)
            assert lowest is not None and lowest >= Version(floors[name]), (name, str(req.specifier))
            assert not req.specifier.contains(Version("0.1")), name
    assert seen == set(floors)


def test_setup_installs_from_the_lock_with_hashes():
    setup = (ROOT / "scripts" / "setup").read_text()
    assert "--require-hashes -r requirements.lock" in setup
    assert "--no-deps -e ." in setup
    assert "requirements.lock" in setup.split("stamp=", 1)[1].splitlines()[0]  # the stamp covers the lock
