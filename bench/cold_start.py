"""Issue 5, item 2: cold start, a fresh process importing the Lambda entry and answering once.

Measures: fresh interpreters (bench/cold_child.py), alternated between the skills after one
discarded run each (it caches bytecode and warms the page cache), each importing its Lambda
entry file and answering a new couple's launch against moto; the median of import + first
request, and the peak resident memory. One more run under `-X importtime` says which imports
account for the difference when the target is missed.
Against: the bare ask-sdk-core + boto3 baseline (bench/baseline_lambda.py).
Target: median ratio Stagewise / baseline ≤ 1.1; peak memory is reported, not judged.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from typing import Any

from bench.driver import START, BenchError
from bench.harness import LAMBDA_MODULES, REPO, SKILLS, Bench, user_id
from bench.report import COLD_START_RATIO, Row, fmt_ratio
from stagewise_tools import alexa_requests as alexa

ITEM = 2


def run_child(bench: Bench, name: str, *python_flags: str) -> tuple[dict[str, Any], str]:
    """A fresh interpreter importing one Lambda module and answering a new couple's launch."""
    event_path = bench.work / f"cold-{uuid.uuid4().hex}.json"
    device = alexa.Device(user_id=user_id(f"cold-{name}"))
    device.new_session()
    event_path.write_text(json.dumps(device.envelope(alexa.launch(), START)))
    command = [
        sys.executable,
        *python_flags,
        str(REPO / "bench" / "cold_child.py"),
        str(LAMBDA_MODULES[name]),
        str(event_path),
    ]
    started = time.perf_counter()
    done = subprocess.run(
        command, env=bench.child_env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    wall_ms = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"{name} cold start exited {done.returncode}: {tail}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if not figures.get("spoke"):
        raise BenchError(f"{name} cold start: the first response has no speech")
    figures["process_wall_ms"] = wall_ms
    return figures, done.stderr


def import_times(stderr: str) -> Counter[str]:
    """`python -X importtime` output: each module's own import time in µs."""
    times: Counter[str] = Counter()
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, module = (part.strip() for part in line[12:].split("|"))
        times[module] += int(self_us)
    return times


def by_package(times: Counter[str]) -> Counter[str]:
    """Import times (µs) summed by top-level package."""
    totals: Counter[str] = Counter()
    for module, us in times.items():
        totals[module.split(".")[0]] += us
    return totals


def measure(bench: Bench) -> list[Row]:
    """Fresh processes, alternated; median import + first request, and peak memory."""
    for name in SKILLS:  # once each, discarded: caches bytecode, warms the page cache
        run_child(bench, name)
    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in SKILLS}
    for run in range(bench.plan.cold_runs):
        for name in SKILLS if run % 2 == 0 else SKILLS[::-1]:
            runs[name].append(run_child(bench, name)[0])
    modules = {n: import_times(run_child(bench, n, "-X", "importtime")[1]) for n in SKILLS}
    imports = {n: by_package(modules[n]) for n in SKILLS}

    def median(name: str, key: str) -> float:
        return float(statistics.median(r[key] for r in runs[name]))

    figures = {
        n: {
            "runs": len(runs[n]),
            "median_total_ms": round(median(n, "total_ms"), 2),
            "median_import_ms": round(median(n, "import_ms"), 2),
            "median_first_request_ms": round(median(n, "first_request_ms"), 2),
            "median_process_wall_ms": round(median(n, "process_wall_ms"), 2),
            "peak_rss_mb": round(max(r["max_rss_kb"] for r in runs[n]) / 1024, 1),
            "total_ms_each_run": [round(r["total_ms"], 1) for r in runs[n]],
            "import_ms_by_package": {k: v / 1000 for k, v in imports[n].most_common(12)},
        }
        for n in SKILLS
    }
    ours, floor = figures["stagewise"], figures["baseline"]
    ratio = ours["median_total_ms"] / floor["median_total_ms"]
    extra = imports["stagewise"].copy()
    extra.subtract(imports["baseline"])
    others = ", ".join(
        f"{k} {v / 1000:.0f} ms" for k, v in extra.most_common(4) if v >= 500 and k != "skill"
    )
    own_modules = Counter({k: v for k, v in modules["stagewise"].items() if k.startswith("skill")})
    heaviest = ", ".join(f"{k} {v / 1000:.0f}" for k, v in own_modules.most_common(4))
    bench.results["cold_start"] = {**figures, "ratio": round(ratio, 3)}
    note = ""
    if ratio > COLD_START_RATIO:
        note = (
            f"{ours['median_total_ms'] - floor['median_total_ms']:+.0f} ms: import "
            f"{ours['median_import_ms'] - floor['median_import_ms']:+.0f} ms, first request "
            f"{ours['median_first_request_ms'] - floor['median_first_request_ms']:+.0f} ms; "
            f"by -X importtime, Stagewise's {len(own_modules)} own modules take "
            f"{extra['skill'] / 1000:.0f} ms (heaviest, ms: {heaviest}); other extra imports: "
            f"{others or 'none'}. Creating the boto3 client and importing boto3 and "
            f"the SDK are common to both"
        )
    return [
        Row(
            ITEM,
            "cold start: import + first request (median ms)",
            f"{ours['median_total_ms']:.0f} (import {ours['median_import_ms']:.0f})",
            f"{floor['median_total_ms']:.0f} (import {floor['median_import_ms']:.0f})",
            fmt_ratio(ratio, COLD_START_RATIO),
            f"≤ {COLD_START_RATIO}",
            ratio <= COLD_START_RATIO,
            note,
        ),
        Row(
            ITEM,
            "cold start: peak RSS (MB)",
            f"{ours['peak_rss_mb']:.1f}",
            f"{floor['peak_rss_mb']:.1f}",
            fmt_ratio(ours["peak_rss_mb"] / floor["peak_rss_mb"]),
        ),
    ]
