"""Issue 19: what the safety check costs an answer, with the encoder and without it.

Measures: fresh interpreters (bench/safety_child.py), alternated between the check as shipped
(the rules, the word model and the encoder) and the same check with the word model alone
(its `words_share` set to 1), after one discarded run each. Each imports the check, checks
one answer (what the first answer of a Lambda container pays: reading the rules, the model
and, when used, numpy and the encoder's weights), then checks answers of 5 to 80 words; the
median CPU time of the first answer, the median and p99 of a check after it, and the peak
resident memory.
Against: the word model alone, in the same run.
Target: none (figures to read); no turn may come near Alexa's 8 seconds, and the first answer
of a container is the dearest turn the check adds to.
"""

from __future__ import annotations

import json
import statistics
import sys

from bench.driver import BenchError
from bench.harness import REPO, Bench
from bench.processes import run_bounded
from bench.report import Row, fmt_ratio

ITEM = 8
TIMEOUT_S = 300
KINDS = ("shipped", "words")


def child(kind: str, bench: Bench) -> dict[str, float]:
    command = [sys.executable, str(REPO / "bench" / "safety_child.py"), kind]
    code, stdout, stderr = run_bounded(command, bench.child_env, timeout=TIMEOUT_S)
    if code != 0:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"bench/safety_child.py {kind} exited {code}: {tail}")
    figures: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    return figures


def measure(bench: Bench) -> list[Row]:
    runs = 3 if bench.plan.quick else 7
    for kind in KINDS:
        child(kind, bench)  # discarded: bytecode and the page cache
    found: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    for _ in range(runs):
        for kind in KINDS:
            found[kind].append(child(kind, bench))

    def median(kind: str, key: str) -> float:
        return statistics.median(run[key] for run in found[kind])

    figures = {
        kind: {key: median(kind, key) for key in ("first_ms", "check_ms", "check_p99_ms", "rss_mb")}
        for kind in KINDS
    }
    bench.results["safety_check"] = {"runs": runs, **figures}
    ours, words = figures["shipped"], figures["words"]
    return [
        Row(
            ITEM,
            "safety check: the first answer in a fresh process (CPU ms, rules + models read)",
            f"{ours['first_ms']:.0f}",
            f"{words['first_ms']:.0f}",
            ratio=fmt_ratio(ours["first_ms"] / words["first_ms"]),
            note=f"peak memory {ours['rss_mb']:.0f} MB against {words['rss_mb']:.0f} MB",
        ),
        Row(
            ITEM,
            "safety check: an answer after the first (ms, median / p99)",
            f"{ours['check_ms']:.2f} / {ours['check_p99_ms']:.2f}",
            f"{words['check_ms']:.2f} / {words['check_p99_ms']:.2f}",
            ratio=fmt_ratio(ours["check_ms"] / words["check_ms"]),
        ),
    ]
