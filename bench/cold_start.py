"""Issue 5, item 2 and issue 21, item 1: cold start, a fresh process importing the Lambda entry
and answering once, from the source tree and from the deployment zip.

Measures: fresh interpreters (bench/cold_child.py), alternated between the skills after one
discarded run each (it caches bytecode and warms the page cache), each importing its Lambda
entry file and answering a new couple's launch against moto; the median CPU time of import +
first request (the process's own work: what Lambda bills, and what a machine shared with
other jobs disturbs least; wall time is in the JSON), and the peak resident memory. Twice:
from the source tree (this interpreter, bytecode cached), and from the unzipped deployment
zip (`stagewise package`) under `python3.12 -I -S` beside a copy of what the Lambda runtime
provides (boto3, botocore and their dependencies), as Lambda runs it. Nine more runs from
the source tree under `-X importtime` (three with --quick; each module's median) say which
imports account for a difference. Then bench/import_costs.py: one row per change that made
the cold start cheaper, each measured before and after.
Against: the bare ask-sdk-core + boto3 baseline (bench/baseline_lambda.py), from the same
place (the zip's copy of ask-sdk for the zip).
Target: median CPU ratio Stagewise / baseline ≤ 1.0 (at or below the floor), both places;
peak memory is reported, not judged.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

from bench import import_costs
from bench.driver import START, BenchError
from bench.harness import LAMBDA_MODULES, REPO, SKILLS, Bench, user_id
from bench.processes import run_bounded
from bench.report import COLD_START_RATIO, Row, fmt_ratio
from stagewise_tools import alexa_requests as alexa
from stagewise_tools.packaging.bundle import LAMBDA_PYTHON, PROVIDED_BY_LAMBDA, find_interpreter

ITEM = 2
BUILD_TIMEOUT_S = 600


@dataclass(frozen=True)
class Place:
    """Where a cold start runs: an interpreter, its flags, and each skill's entry and path."""

    key: str
    label: str
    python: str
    flags: tuple[str, ...]
    modules: dict[str, Path]
    paths: dict[str, tuple[str, ...]]


def source_tree() -> Place:
    """The checkout, with this interpreter (PYTHONPATH names the checkout)."""
    return Place(
        "source",
        "source tree",
        sys.executable,
        (),
        dict(LAMBDA_MODULES),
        {name: () for name in SKILLS},
    )


def unzipped(bench: Bench) -> Place:
    """The deployment zip, unzipped beside a copy of what the Lambda runtime provides.

    Compiled (the zip by the packager, the rest here) by the Lambda runtime's Python when
    this machine has one, and run under `-I -S`: no site-packages, no PYTHON* variables,
    nothing but the bundle and the runtime's own packages on the path.
    """
    python = find_interpreter(LAMBDA_PYTHON) or sys.executable
    out = bench.work / "package"
    code, _stdout, stderr = run_bounded(
        [sys.executable, "-m", "stagewise_tools.cli", "package", "--out", str(out)],
        bench.clean_env,
        timeout=BUILD_TIMEOUT_S,
    )
    if code != 0:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"stagewise package exited {code}: {tail}")
    task = bench.work / "zip-task"
    with zipfile.ZipFile(out / "lambda.zip") as archive:
        archive.extractall(task)
    runtime = bench.work / "lambda-runtime"
    for name in PROVIDED_BY_LAMBDA:
        dist = distribution(name)
        for file in dist.files or ():
            source = Path(str(dist.locate_file(file)))
            if source.is_file() and ".." not in file.parts and "__pycache__" not in file.parts:
                target = runtime / file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    floor = bench.work / "zip-baseline"
    (floor / "bench").mkdir(parents=True)
    for name in ("baseline.py", "baseline_lambda.py"):
        shutil.copyfile(REPO / "bench" / name, floor / "bench" / name)
    for folder in (runtime, floor):  # the zip holds bytecode already; Lambda's runtime too
        subprocess.run(
            [python, "-m", "compileall", "-q", "-j", "0", str(folder)],
            check=True,
            capture_output=True,
            timeout=BUILD_TIMEOUT_S,
        )
    version = "{}.{}".format(*sys.version_info[:2]) if python == sys.executable else LAMBDA_PYTHON
    return Place(
        "zip",
        f"zip, python{version} -I -S",
        python,
        ("-I", "-S"),
        {
            "stagewise": task / "lambda_function.py",
            "baseline": floor / "bench" / "baseline_lambda.py",
        },
        {
            "stagewise": (str(task), str(runtime)),
            "baseline": (str(floor), str(task), str(runtime)),
        },
    )


def run_child(
    bench: Bench, place: Place, name: str, *python_flags: str
) -> tuple[dict[str, Any], str]:
    """A fresh interpreter importing one Lambda module and answering a new couple's launch."""
    event_path = bench.work / f"cold-{uuid.uuid4().hex}.json"
    device = alexa.Device(user_id=user_id(f"cold-{name}"))
    device.new_session()
    event_path.write_text(json.dumps(device.envelope(alexa.launch(), START)))
    command = [
        place.python,
        *place.flags,
        *python_flags,
        str(REPO / "bench" / "cold_child.py"),
        str(place.modules[name]),
        str(event_path),
        *place.paths[name],
    ]
    started = time.perf_counter()
    done = subprocess.run(
        command, env=bench.child_env, cwd=bench.work, capture_output=True, text=True, timeout=120
    )
    wall_ms = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"{name} cold start ({place.label}) exited {done.returncode}: {tail}")
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


def median_import_times(bench: Bench, place: Place, runs: int) -> dict[str, Counter[str]]:
    """Each module's median own import time (µs) over `runs` runs under -X importtime."""
    samples: dict[str, list[Counter[str]]] = {n: [] for n in SKILLS}
    for run in range(runs):
        for name in SKILLS if run % 2 == 0 else SKILLS[::-1]:
            samples[name].append(import_times(run_child(bench, place, name, "-X", "importtime")[1]))
    medians: dict[str, Counter[str]] = {}
    for name, counts in samples.items():
        modules = set().union(*counts)
        medians[name] = Counter(
            {m: int(statistics.median(c.get(m, 0) for c in counts)) for m in modules}
        )
    return medians


def cold_runs(bench: Bench, place: Place) -> dict[str, list[dict[str, Any]]]:
    """One discarded run each, then `cold_runs` each, alternating which skill goes first."""
    for name in SKILLS:  # caches bytecode, warms the page cache
        run_child(bench, place, name)
    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in SKILLS}
    for run in range(bench.plan.cold_runs):
        for name in SKILLS if run % 2 == 0 else SKILLS[::-1]:
            runs[name].append(run_child(bench, place, name)[0])
    return runs


def figures_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of one skill's cold starts."""

    def median(key: str) -> float:
        return round(float(statistics.median(r[key] for r in runs)), 2)

    keys = ("total_cpu_ms", "import_cpu_ms", "first_request_cpu_ms", "total_ms", "import_ms")
    return {
        "runs": len(runs),
        "python": runs[0]["python"],
        **{f"median_{key}": median(key) for key in keys},
        "median_first_request_ms": median("first_request_ms"),
        "median_process_wall_ms": median("process_wall_ms"),
        "peak_rss_mb": round(max(r["max_rss_kb"] for r in runs) / 1024, 1),
        "total_cpu_ms_each_run": [round(r["total_cpu_ms"], 1) for r in runs],
    }


def why_note(ours: dict[str, Any], floor: dict[str, Any], modules: dict[str, Counter[str]]) -> str:
    """Where a missed target's extra time goes, by -X importtime (source tree)."""
    imports = {n: by_package(modules[n]) for n in SKILLS}
    extra = imports["stagewise"].copy()
    extra.subtract(imports["baseline"])
    others = ", ".join(
        f"{k} {v / 1000:.0f} ms" for k, v in extra.most_common(4) if v >= 500 and k != "skill"
    )
    own = Counter({k: v for k, v in modules["stagewise"].items() if k.startswith("skill")})
    heaviest = ", ".join(f"{k} {v / 1000:.1f}" for k, v in own.most_common(4))
    return (
        f"{ours['median_total_cpu_ms'] - floor['median_total_cpu_ms']:+.0f} ms CPU: import "
        f"{ours['median_import_cpu_ms'] - floor['median_import_cpu_ms']:+.0f} ms, first "
        f"request {ours['median_first_request_cpu_ms'] - floor['median_first_request_cpu_ms']:+.0f}"
        f" ms; by -X importtime, Stagewise's {len(own)} own modules take "
        f"{sum(own.values()) / 1000:.0f} ms (heaviest, ms: {heaviest}); other extra imports: "
        f"{others or 'none'}"
    )


def measure(bench: Bench) -> list[Row]:
    """Both places' cold starts, then what each change saves."""
    rows: list[Row] = []
    results: dict[str, Any] = {}
    source, modules = source_tree(), {}
    for place in (source, unzipped(bench)):
        runs = cold_runs(bench, place)
        if place is source:  # after the discarded runs, so bytecode is cached
            modules = median_import_times(bench, source, 3 if bench.plan.quick else 9)
            results["import_ms_by_package"] = {
                n: {k: v / 1000 for k, v in by_package(modules[n]).most_common(12)} for n in SKILLS
            }
            results["own_modules_import_ms"] = {
                k: v / 1000 for k, v in modules["stagewise"].most_common() if k.startswith("skill")
            }
        figures = {n: figures_of(runs[n]) for n in SKILLS}
        ours, floor = figures["stagewise"], figures["baseline"]
        ratio = ours["median_total_cpu_ms"] / floor["median_total_cpu_ms"]
        wall_ratio = ours["median_total_ms"] / floor["median_total_ms"]
        results[place.key] = {
            **figures,
            "ratio": round(ratio, 3),
            "wall_ratio": round(wall_ratio, 3),
        }
        met = ratio <= COLD_START_RATIO
        note = f"wall time {ours['median_total_ms']:.0f} vs {floor['median_total_ms']:.0f} ms"
        if not met:
            note = f"{why_note(ours, floor, modules)}; {note}"
        rows.append(
            Row(
                ITEM,
                f"cold start, {place.label}: import + first request (median CPU ms)",
                f"{ours['median_total_cpu_ms']:.0f} (import {ours['median_import_cpu_ms']:.0f})",
                f"{floor['median_total_cpu_ms']:.0f} (import {floor['median_import_cpu_ms']:.0f})",
                fmt_ratio(ratio, COLD_START_RATIO),
                f"≤ {COLD_START_RATIO}",
                met,
                note,
            )
        )
        if place is source:
            rows.append(
                Row(
                    ITEM,
                    "cold start: peak RSS (MB)",
                    f"{ours['peak_rss_mb']:.1f}",
                    f"{floor['peak_rss_mb']:.1f}",
                    fmt_ratio(ours["peak_rss_mb"] / floor["peak_rss_mb"]),
                )
            )
    bench.results["cold_start"] = results
    rows += import_costs.measure(bench)
    return rows
