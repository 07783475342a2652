"""The lock files in requirements/ agree with pyproject.toml (regenerate them: bash scripts/lock.sh)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCKED_EXTRAS = ("st", "postgres", "redis", "test")
FIX = "run `bash scripts/lock.sh` and commit requirements/ and pylock.toml"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


@dataclass(frozen=True)
class Pin:
    version: Version
    via: frozenset[str]  # what asked for it, as the lock file's "# via" comments say
    hashes: int


def read_lock(path: Path) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    name, version, via, hashes = "", "", set[str](), 0
    for line in [*path.read_text(encoding="utf-8").splitlines(), "end==0"]:
        m = _PIN.match(line)
        if m:
            if name:
                pins[name] = Pin(Version(version), frozenset(via), hashes)
            name, version, via, hashes = canonicalize_name(m[1]), m[2], set(), 0
        elif "--hash=sha256:" in line:
            hashes += 1
        elif line.strip().startswith("#") and name:
            entry = line.strip().lstrip("#").strip().removeprefix("via").strip()
            if entry:
                via.add(entry)
    return pins


def requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return found


def direct(pins: dict[str, Pin]) -> set[str]:
    return {name for name, pin in pins.items() if "faqbot (pyproject.toml)" in pin.via}


def disagreements(reqs: list[Requirement], pins: dict[str, Pin], lock: str) -> list[str]:
    problems = []
    for req in reqs:
        name = canonicalize_name(req.name)
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.11"}):
            continue
        pin = pins.get(name)
        if pin is None:
            problems.append(f"pyproject.toml asks for {req} but {lock} does not lock {name}")
        elif not req.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{lock} locks {name}=={pin.version}, outside pyproject.toml's {req}")
    wanted = {canonicalize_name(r.name) for r in reqs}
    problems += [f"{lock} locks {name} for faqbot, but pyproject.toml no longer asks for it"
                 for name in sorted(direct(pins) - wanted)]
    return problems


def test_the_full_lock_matches_pyproject() -> None:
    pins = read_lock(ROOT / "requirements/lock.txt")
    problems = disagreements(requirements(*LOCKED_EXTRAS), pins, "requirements/lock.txt")
    assert not problems, "\n".join([*problems, FIX])


def test_the_base_lock_matches_pyproject_and_the_full_lock() -> None:
    base, full = read_lock(ROOT / "requirements/base.txt"), read_lock(ROOT / "requirements/lock.txt")
    problems = disagreements(requirements(), base, "requirements/base.txt")
    problems += [f"requirements/base.txt locks {n}=={p.version} but lock.txt {full[n].version}"
                 if n in full else f"requirements/base.txt locks {n}, lock.txt does not"
                 for n, p in base.items() if n not in full or full[n].version != p.version]
    assert not problems, "\n".join([*problems, FIX])


def test_the_build_lock_matches_the_build_system() -> None:
    pins = read_lock(ROOT / "requirements/build.txt")
    reqs = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]] + [Requirement("pip")]
    problems = [f"requirements/build.txt does not satisfy pyproject.toml's build requirement {r}"
                for r in reqs if canonicalize_name(r.name) not in pins
                or not r.specifier.contains(pins[canonicalize_name(r.name)].version)]
    assert not problems, "\n".join([*problems, FIX])


@pytest.mark.parametrize("lock", ["lock.txt", "base.txt", "build.txt"])
def test_every_locked_package_has_hashes(lock: str) -> None:
    pins = read_lock(ROOT / "requirements" / lock)
    assert pins
    assert not [name for name, pin in pins.items() if pin.hashes == 0]


def test_torch_is_the_cpu_build() -> None:
    assert read_lock(ROOT / "requirements/lock.txt")["torch"].version == Version("2.13.0+cpu")
    assert "torch" not in read_lock(ROOT / "requirements/base.txt")  # the demo needs no torch


def test_the_check_catches_a_dependency_missing_from_the_lock() -> None:
    pins = read_lock(ROOT / "requirements/lock.txt")
    reqs = [*requirements(*LOCKED_EXTRAS), Requirement("presidio-analyzer>=2.2")]
    assert disagreements(reqs, pins, "lock") == [
        "pyproject.toml asks for presidio-analyzer>=2.2 but lock does not lock presidio-analyzer"]


def test_the_check_catches_a_dependency_dropped_from_pyproject() -> None:
    pins = read_lock(ROOT / "requirements/lock.txt")
    reqs = [r for r in requirements(*LOCKED_EXTRAS) if r.name != "babel"]
    assert disagreements(reqs, pins, "lock") == [
        "lock locks babel for faqbot, but pyproject.toml no longer asks for it"]


def test_the_check_catches_a_pin_outside_the_range() -> None:
    pins = read_lock(ROOT / "requirements/lock.txt")
    reqs = [r for r in requirements(*LOCKED_EXTRAS) if r.name != "babel"] + [Requirement("babel<2")]
    assert disagreements(reqs, pins, "lock") == [
        f"lock locks babel=={pins['babel'].version}, outside pyproject.toml's babel<2"]


def test_pylock_toml_locks_what_lock_txt_locks() -> None:
    """pylock.toml (PEP 751, for tools that read the standard format) pins the same versions."""
    full: dict[str, Version] = {n: p.version for n, p in read_lock(ROOT / "requirements/lock.txt").items()}
    packages = tomllib.loads((ROOT / "pylock.toml").read_text(encoding="utf-8"))["packages"]
    standard: dict[str, Version] = {canonicalize_name(p["name"]): Version(p["version"]) for p in packages}
    assert standard == full, "\n".join([
        *(f"{n}: pylock.toml {standard.get(n)} vs lock.txt {full.get(n)}"
          for n in sorted(set(standard) | set(full)) if standard.get(n) != full.get(n)), FIX])
    unhashed = [p["name"] for p in packages
                if not all("hashes" in w for w in p.get("wheels", [])) or not p.get("wheels", p.get("sdist"))]
    assert not unhashed, f"pylock.toml has artifacts without hashes: {unhashed}"
