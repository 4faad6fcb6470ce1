"""Issue 5, item 5 and issue 21, item 4: the web service under load, with request verification on.

Measures: bench/web_load.py, run as its own process (it starts gunicorn on loopback and
stops it): requests per second under `wrk` (a C load generator, so the figure is the
server's) at a fixed concurrency (16; shorter with --quick) of pre-signed Alexa requests
(launches and help from 50 households) to the real skill behind gunicorn, signature
verified, SQLite store; each app's load comes in one-second rounds alternated between the
apps (the ratio is the median over rounds of the skill's throughput over the bare skill's in
the round beside it), and the server's own CPU per request is read from /proc. Any failed
request makes the measurement fail.
Against: the bare ask-sdk-core skill (bench/baseline.py, its profile read from SQLite as
Stagewise's is) behind a bare Flask app verifying requests the same way, under the same
gunicorn settings, in the same run (a verify-only app
and a trivial one are in the JSON and the note, for scale).
Target: the skill's throughput ≥ 0.9 × the bare skill's.
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
    """bench/web_load.py: gunicorn with verification on, the skill vs the bare skill, under wrk."""
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
    apps = ("skill", "baseline", "verified", "trivial")
    errors = sum(report[name]["errors"] + report[name]["warm_up_errors"] for name in apps)
    if code != 0 or errors:
        raise BenchError(f"bench/web_load.py exited {code} with {errors} failed requests")
    skill, floor = report["skill"], report["baseline"]
    ratio = float(report["skill_to_baseline_throughput"])
    cpu_ratio = skill["server_cpu_us_per_request"] / floor["server_cpu_us_per_request"]
    concurrency = report["concurrency"]
    verified, trivial = report["verified"], report["trivial"]
    scale = (
        f"for scale: a Flask app that only verifies serves {verified['requests_per_s']:.0f}/s, "
        f"a trivial one {trivial['requests_per_s']:.0f}/s"
    )
    note = scale
    if ratio < WEB_THROUGHPUT_RATIO:
        note = (
            f"at {100 * ratio:.0f} % of the bare skill, whose server CPU per request is "
            f"{1 / cpu_ratio:.2f}× the skill's (next row); {scale}"
        )
    return [
        Row(
            ITEM,
            f"web: requests/s under wrk at concurrency {concurrency} (gunicorn, signature "
            "verified; skill on SQLite vs the bare ask-sdk-core skill)",
            f"{skill['requests_per_s']:.0f}",
            f"{floor['requests_per_s']:.0f}",
            fmt_ratio(ratio, WEB_THROUGHPUT_RATIO),
            f"≥ {WEB_THROUGHPUT_RATIO:.2f}",
            ratio >= WEB_THROUGHPUT_RATIO,
            note,
        ),
        Row(
            ITEM,
            "web: server CPU per request (µs, gunicorn and its workers, from /proc)",
            f"{skill['server_cpu_us_per_request']:.0f}",
            f"{floor['server_cpu_us_per_request']:.0f}",
            fmt_ratio(cpu_ratio),
        ),
        Row(
            ITEM,
            "web: p50 / p99 ms under that load (the median round's)",
            f"{skill['latency_ms']['p50']:.1f} / {skill['latency_ms']['p99']:.1f}",
            f"{floor['latency_ms']['p50']:.1f} / {floor['latency_ms']['p99']:.1f}",
            fmt_ratio(skill["latency_ms"]["p50"] / floor["latency_ms"]["p50"]),
        ),
    ]
