"""Issue 5, item 5: the web service under load, with request verification on.

Measures: bench/web_load.py, run as its own process (it starts gunicorn on loopback and
stops it): requests per second and p50 / p99 latency at a fixed concurrency (16; fewer
requests with --quick) of pre-signed Alexa requests to the real skill behind gunicorn,
signature verified, SQLite store. Any failed request makes the measurement fail.
Against: a trivial Flask app under the same gunicorn settings, in the same run.
Target: the skill's throughput ≥ 50 % of the trivial app's.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.driver import BenchError
from bench.harness import REPO, Bench
from bench.processes import run_bounded
from bench.report import WEB_THROUGHPUT_RATIO, Row, fmt_ratio

ITEM = 5
TIMEOUT_S = 300


def measure(bench: Bench) -> list[Row]:
    """bench/web_load.py (a colleague's): gunicorn with verification on vs a trivial app."""
    script = REPO / "bench" / "web_load.py"
    if not script.exists():
        raise BenchError("bench/web_load.py is missing")
    out = bench.work / "web.json"
    command = [sys.executable, str(script), "--out", str(out)]
    if bench.plan.quick:
        command.append("--quick")
    code, stdout, stderr = run_bounded(command, bench.clean_env, timeout=TIMEOUT_S)
    try:
        report: dict[str, Any] = json.loads(out.read_text() if out.exists() else stdout)
    except json.JSONDecodeError as err:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"bench/web_load.py exited {code} without JSON: {tail}") from err
    bench.results["web"] = report  # kept in the JSON even when the run below fails
    skill, trivial = report["skill"], report["trivial"]
    errors = skill["errors"] + trivial["errors"] + skill["warm_up_errors"]
    if code != 0 or errors:
        raise BenchError(f"bench/web_load.py exited {code} with {errors} failed requests")
    ratio = float(report["skill_to_trivial_throughput"])
    concurrency = report["concurrency"]
    note = ""
    if ratio < WEB_THROUGHPUT_RATIO:
        extra = skill["latency_ms"]["p50"] - trivial["latency_ms"]["p50"]
        note = (
            f"at {100 * ratio:.0f} % of the trivial app: +{extra:.1f} ms per request at p50 "
            "(signature check, skill, SQLite); details in the web JSON"
        )
    return [
        Row(
            ITEM,
            f"web: requests/s at concurrency {concurrency} (gunicorn; skill vs trivial app)",
            f"{skill['requests_per_s']:.0f}",
            f"{trivial['requests_per_s']:.0f}",
            fmt_ratio(ratio, WEB_THROUGHPUT_RATIO),
            f"≥ {WEB_THROUGHPUT_RATIO:.2f}",
            ratio >= WEB_THROUGHPUT_RATIO,
            note,
        ),
        Row(
            ITEM,
            "web: p50 / p99 ms (signature verified, SQLite store)",
            f"{skill['latency_ms']['p50']:.1f} / {skill['latency_ms']['p99']:.1f}",
            f"{trivial['latency_ms']['p50']:.1f} / {trivial['latency_ms']['p99']:.1f}",
            fmt_ratio(skill["latency_ms"]["p50"] / trivial["latency_ms"]["p50"]),
        ),
    ]
