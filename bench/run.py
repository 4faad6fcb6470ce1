"""Issues 5 and 21's benchmarks in one command: Stagewise beside a bare ask-sdk-core skill.

    python bench/run.py [--quick] [--only latency,round_trips] [--out bench/results/latest.json]

Prints a markdown table (each figure with its target and whether it was met) and writes the
figures as JSON. Exit 0 when every measurement was made, whatever the targets say; exit 1
with a one-line reason when a measurement could not be made. Everything it starts (moto, the
counting proxy, gunicorn and wrk through bench/web_load.py, pip through the packager) listens
on loopback only and is stopped before it exits, on error too.

Each measurement is a module here with one `measure(bench) -> rows` function and a
docstring saying what it measures, against what, and its target; this file only runs them.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: measure this checkout, not an installed copy

from bench import (  # noqa: E402
    bundle,
    cold_start,
    history,
    latency,
    not_answers,
    round_trips,
    safety_check,
    web,
    year_old,
)
from bench.harness import FULL, QUICK, Bench, Plan, open_bench  # noqa: E402
from bench.report import Row, machine, markdown  # noqa: E402

# In the order they run: round trips first, as latency checks its call counts against them.
MEASUREMENTS: dict[str, ModuleType] = {
    "round_trips": round_trips,
    "latency": latency,
    "history": history,
    "year_old": year_old,
    "cold_start": cold_start,
    "web": web,
    "bundle": bundle,
    "safety_check": safety_check,
    "not_answers": not_answers,
}


def progress(message: str) -> None:
    """A progress line on stderr, so stdout stays the table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_all(
    plan: Plan, work: Path, names: list[str]
) -> tuple[Bench, list[Row], list[dict[str, str]]]:
    """Start the local DynamoDB and both skills, then run each named measurement in turn."""
    rows: list[Row] = []
    failures: list[dict[str, str]] = []
    with ExitStack() as running:
        bench = open_bench(plan, work, running)
        for name in names:
            module = MEASUREMENTS[name]
            progress(f"{module.ITEM}. {name}")
            started = time.perf_counter()
            try:
                rows.extend(module.measure(bench))
            except Exception as err:  # one broken measurement must not hide the others' figures
                reason = f"{type(err).__name__}: {err}"
                failures.append(
                    {"section": name, "reason": reason, "traceback": traceback.format_exc()}
                )
                rows.append(Row(module.ITEM, f"{name}: MISSING", "—", "—", note=reason))
            bench.results.setdefault("section_seconds", {})[name] = round(
                time.perf_counter() - started, 1
            )
        bench.results["proxy"] = {"replies_dropped_after_client_timeout": bench.proxy.dropped}
    return bench, rows, failures


def measurement_names(text: str) -> list[str]:
    """`--only latency,round_trips`: known measurement names, comma-separated."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in MEASUREMENTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown measurement {', '.join(unknown) or text!r}; choose from "
            + ", ".join(MEASUREMENTS)
        )
    return names


def stop_on_sigterm(signum: int, frame: object) -> None:
    """A CI timeout sends SIGTERM: exit through the context managers that stop moto."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table, write the JSON; 1 if a measurement is missing."""
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few runs: proves it still works")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "latest.json", help="JSON path"
    )
    parser.add_argument(
        "--only",
        type=measurement_names,
        action="append",
        default=[],
        metavar="NAME[,NAME...]",
        help=f"run just these measurements ({', '.join(MEASUREMENTS)}); the default runs all",
    )
    args = parser.parse_args(argv)
    only = {name for names in args.only for name in names}
    names = [name for name in MEASUREMENTS if not only or name in only]
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="stagewise-bench-") as tmp:
            bench, rows, failures = run_all(plan, Path(tmp), names)
    except Exception as err:  # setup failed: nothing to report but the reason
        print(f"bench: failed to start: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    report = {
        "plan": asdict(plan),
        "seconds": round(seconds, 1),
        "machine": machine(),
        **bench.results,
        "rows": [asdict(row) for row in rows],
        "failures": failures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    info = report["machine"]
    print(
        f"{'Quick run' if plan.quick else 'Full run'} in {seconds:.0f} s on {info['cpus']} CPUs "
        f"({info['cpu']}, {info['memory_gb']} GB), Python {info['python']}\n"
    )
    print(markdown(rows))
    print(f"\nJSON: {args.out}")
    if failures:
        first = failures[0]
        more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
        print(f"bench: {first['section']} missing: {first['reason']}{more}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
