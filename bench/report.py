"""The report: one table row per figure, the targets from issues 5 and 21, and the table.

The targets are the issue's, reported against and never tuned: a missed one is shown as
missed, with a note saying by how much and why.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Issue 5's targets. Round-trip budgets are per turn, on each step in bench/driver.py.
LATENCY_RATIO = 1.2  # Stagewise / baseline, median per turn
COLD_START_RATIO = 1.0  # Stagewise / baseline, median CPU of import + first request (issue 21)
HISTORY_RATIO = 1.2  # recap with 10,000 answers stored / with 10
WEB_THROUGHPUT_RATIO = 0.9  # skill / the bare skill behind the same verification, req/s (issue 21)
BUNDLE_MB = 5.0  # the Lambda deployment zip (issue 14)
NOT_ANSWER_RATIO = 10.0  # not-answer check / the SDK reading the envelope, CPU per answer


@dataclass
class Row:
    """One line of the table."""

    item: int
    measure: str
    stagewise: str
    baseline: str
    ratio: str = "—"
    target: str = "—"
    met: bool | None = None  # None: a figure to read, not a target
    note: str = ""


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: an observed value, never an interpolation."""
    ordered = sorted(values)
    rank = math.ceil(round(len(ordered) * fraction, 9))  # round: 0.99 * 200 is not 198.0 exactly
    return ordered[max(rank, 1) - 1]


def summary(values: list[float]) -> dict[str, float]:
    """Median and p99 of timings in ms."""
    return {
        "runs": len(values),
        "median_ms": round(statistics.median(values), 3),
        "p99_ms": round(percentile(values, 0.99), 3),
    }


def ms_pair(figures: dict[str, float]) -> str:
    """Median / p99 as the table shows them."""
    return f"{figures['median_ms']:.2f} / {figures['p99_ms']:.2f}"


def fmt_ratio(value: float, limit: float | None = None) -> str:
    """Two decimals; three when two would round onto the target and hide which side it is."""
    text = f"{value:.2f}"
    if limit is not None and float(text) == limit and value != limit:
        text = f"{value:.3f}"
    return text


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        ),
        0,
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def markdown(rows: Iterable[Row]) -> str:
    """The table: every figure with its target and whether it was met."""
    lines = [
        "| # | measure | Stagewise | baseline | ratio | target | met? | note |",
        "| - | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in sorted(rows, key=lambda r: r.item):
        met = "—" if row.met is None else ("yes" if row.met else "**no**")
        cells = (
            str(row.item),
            row.measure,
            row.stagewise,
            row.baseline,
            row.ratio,
            row.target,
            met,
            row.note.replace("|", "\\|"),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
