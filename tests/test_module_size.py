"""No module of the runtime or the tooling is over 400 lines (issue 22): a file that size holds
more than one idea, and a newcomer should find each idea in a module named for it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("skill", "stagewise_tools")
MAX_LINES = 400


def module_lengths() -> dict[str, int]:
    """Every module's lines, by its path from the repository root."""
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_no_module_is_over_the_limit() -> None:
    too_long = {name: lines for name, lines in module_lengths().items() if lines > MAX_LINES}
    assert too_long == {}, f"over {MAX_LINES} lines: split each along a seam: {too_long}"
