"""Issue 21, item 1: what each change to the cold start saves, measured before and after.

Placeholder while the changes land.
"""

from __future__ import annotations

from bench.harness import Bench
from bench.report import Row

ITEM = 2


def measure(bench: Bench) -> list[Row]:
    """Nothing yet."""
    return []
