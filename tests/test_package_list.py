"""Every package of the runtime and the tooling is in pyproject.toml's package list, which
setuptools installs and the Lambda zip is built from: a package left out would be missing
from the wheel and the zip, and a turn that imports it would fail only once deployed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("skill", "stagewise_tools")


def listed_packages() -> set[str]:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(setuptools["tool"]["setuptools"]["packages"])


def packages_in_tree() -> set[str]:
    """Each directory holding an __init__.py, as a dotted package name."""
    return {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in PACKAGES
        for init in (ROOT / top).rglob("__init__.py")
    }


def test_every_package_in_the_tree_is_listed() -> None:
    missing = sorted(packages_in_tree() - listed_packages())
    assert missing == [], f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_listed_package_is_a_directory() -> None:
    gone = sorted(p for p in listed_packages() if not ROOT.joinpath(*p.split(".")).is_dir())
    assert gone == [], f"listed in pyproject.toml but not in the tree: {gone}"
