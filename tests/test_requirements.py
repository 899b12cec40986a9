"""The pinned requirements (requirements/*.txt, made by pip-compile from pyproject.toml) say
what pyproject.toml says: the same direct dependencies, each pin within its range. A changed
pyproject.toml without `pip-compile` run again fails here, in CI as locally."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
DIRECT = "agora (pyproject.toml)"  # pip-compile's note on a pin pyproject.toml asked for
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)$")


def declared(extras: list[str]) -> dict[str, Requirement]:
    lines = PYPROJECT["dependencies"] + [
        line for extra in extras for line in PYPROJECT["optional-dependencies"][extra]
    ]
    return {canonicalize_name(req.name): req for req in map(Requirement, lines)}


def pinned(name: str) -> tuple[dict[str, str], set[str]]:
    """Every pin of requirements/<name> (name -> version), and the names pinned as direct."""
    pins, direct, current = {}, set(), None
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            pins[current] = match[2]
        elif current and line.strip().lstrip("#").strip() in (f"via {DIRECT}", DIRECT):
            direct.add(current)
    return pins, direct


@pytest.mark.parametrize(("name", "extras"), [("base.txt", []), ("dev.txt", ["dev"])])
def test_the_pins_are_pyproject_tomls_dependencies_within_their_ranges(name, extras):
    wanted = declared(extras)
    pins, direct = pinned(name)
    assert direct == set(wanted), f"requirements/{name}: run pip-compile again (see its head)"
    for package, requirement in wanted.items():
        assert requirement.specifier.contains(pins[package], prereleases=True), (
            f"requirements/{name} pins {package}=={pins[package]}, outside {requirement}"
        )


def test_both_files_pin_a_shared_package_at_the_same_version():
    base, _ = pinned("base.txt")
    dev, _ = pinned("dev.txt")
    assert {name: dev.get(name) for name in base} == base
