"""Issue 5's benchmarks in one command: Stagewise beside a bare ask-sdk-core skill, same run.

    python bench/run.py [--quick] [--out bench/results/latest.json]

Prints a markdown table (each figure with its target and whether it was met) and writes the
figures as JSON. Exit 0 when every measurement was made, whatever the targets say; exit 1
with a one-line reason when a measurement could not be made. Everything it starts (moto, the
counting proxy, gunicorn through bench/web_load.py, pip through lambda/build.sh) listens on
loopback only and is stopped before it exits, on error too.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: measure this checkout, not an installed copy

import boto3  # noqa: E402
from boto3.dynamodb.types import TypeSerializer  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

from bench import baseline  # noqa: E402
from bench.driver import (  # noqa: E402
    CONVERSATION,
    START,
    STEPS,
    BenchError,
    Household,
    LambdaHandler,
    check_recap,
    speech,
)
from bench.dynamo_local import FAKE_AWS, CountingProxy, MotoServer  # noqa: E402
from skill import envelope as alexa  # noqa: E402
from skill.content import load_content  # noqa: E402
from skill.records import Answer, Profile  # noqa: E402
from skill.store.dynamodb import CLIENT_CONFIG, DynamoStore  # noqa: E402
from skill.store.items import answer_to_item  # noqa: E402

SKILLS = ("stagewise", "baseline")
LAMBDA_MODULES = {
    "stagewise": REPO / "lambda" / "lambda_function.py",
    "baseline": REPO / "bench" / "baseline_lambda.py",
}
LATENCY_STEPS = (
    "launch",
    "question",
    "first_answer",
    "second_answer",
    "recap",
    "one_shot_question",
    "help",
)
HISTORY_SIZES = (10, 10_000)
MAX_REDONE = 3  # conversations a section may redo after a stall before it reports failure
# Loading only: a 10,000-item partition makes moto slow, so allow more than production does.
LOADING_CONFIG = Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 2})
BUNDLE_TARGET_MB = 5.0
# Dependencies of boto3 that build.sh keeps although the Lambda Python runtime provides them.
RUNTIME_PROVIDED = {"urllib3", "python-dateutil", "jmespath", "six"}
# What a profiled area does on a turn, for the note on a slow one (from reading the profiles).
WHY_AREA = {
    "stdlib copy": "ask-sdk-core deep-copies the session attributes, which carry the profile",
    "skill.records": "session state to and from attributes",
    "skill.handlers": "handlers",
    "skill.speech": "SSML",
    "skill.content": "content lookup",
    "skill.privacy": "the log line",
}
WHY_PACKAGE = {
    "ask-sdk-model": "generated classes for every Alexa API, which ask-sdk-core imports",
    "ask-sdk-core": "the SDK itself",
    "certifi": "CA bundle, pulled in by requests (ask-sdk-core's API client)",
}


@dataclass(frozen=True)
class Plan:
    """How much to run: the full benchmark, or the quick proof that it still works."""

    quick: bool
    turn_runs: int
    history_runs: int
    cold_runs: int
    profile_runs: int
    warmup_runs: int = 3


# Cold starts vary by ±20 % from one process to the next here: 20 each keeps the median steady.
FULL = Plan(quick=False, turn_runs=200, history_runs=100, cold_runs=20, profile_runs=30)
QUICK = Plan(quick=True, turn_runs=20, history_runs=10, cold_runs=3, profile_runs=5)


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


@dataclass
class Bench:
    """What the sections share: the plan, the local DynamoDB and the two skills."""

    plan: Plan
    work: Path
    moto: MotoServer
    proxy: CountingProxy
    table: str
    direct: Any  # a DynamoDB client straight to moto, for loading (not measured, not counted)
    handlers: dict[str, LambdaHandler]
    child_env: dict[str, str]
    clean_env: dict[str, str]
    results: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)

    def forget(self, household_id: str) -> None:
        """Delete a household's items, untimed and uncounted, straight on moto."""
        # moto's Query scans the whole table and each transaction deep-copies it, so server
        # time grows with the table: keep it the same size from one run to the next.
        DynamoStore(self.direct, self.table).delete_household(household_id)


# -- figures ------------------------------------------------------------------------------------


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


def user_id(tag: str) -> str:
    """A household nobody has used, so every run does the same work."""
    return f"amzn1.ask.account.bench-{tag}-{uuid.uuid4().hex}"


def load_lambda_module(name: str, path: Path) -> ModuleType:
    """Import a Lambda entry file as Lambda does: by path, configured by the environment."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}_lambda", path)
    if spec is None or spec.loader is None:
        raise BenchError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_same_client_config() -> None:
    """The floor must use Stagewise's timeouts and retries, or the ratio compares configs."""
    fields = ("connect_timeout", "read_timeout", "retries")
    ours = {name: getattr(baseline.CLIENT_CONFIG, name) for name in fields}
    theirs = {name: getattr(CLIENT_CONFIG, name) for name in fields}
    if ours != theirs:
        raise BenchError(
            f"bench/baseline.py CLIENT_CONFIG {ours} differs from Stagewise's {theirs}"
        )


# -- 3. round trips -------------------------------------------------------------------------------


def describe_calls(calls: Counter[str]) -> str:
    """'2 (GetItem + PutItem)': how many round trips, and which."""
    total = sum(calls.values())
    names = " + ".join(f"{op}×{n}" if n > 1 else op for op, n in sorted(calls.items()))
    return f"{total} ({names})" if total else "0"


def round_trips(bench: Bench) -> None:
    """Every turn of a full conversation, counted at the proxy, for both skills."""
    per_skill: dict[str, list[Counter[str]]] = {}
    for name in SKILLS:
        household = Household(bench.handlers[name], user_id(f"trips-{name}"))
        bench.proxy.take()
        counts: list[Counter[str]] = []
        for step in CONVERSATION:
            _, raw = household.turn(step)
            counts.append(bench.proxy.take())
            if step.key == "recap":
                check_recap(raw, name)
        per_skill[name] = counts
        bench.forget(household.device.user_id)
    table = []
    for index, step in enumerate(CONVERSATION):
        ours, floor = per_skill["stagewise"][index], per_skill["baseline"][index]
        count = sum(ours.values())
        same = ours == floor
        table.append(
            {
                "turn": step.key,
                "stagewise": dict(ours),
                "baseline": dict(floor),
                "budget": step.max_calls,
                "met": count <= step.max_calls,
                "baseline_matches": same,
            }
        )
        first = step.new_session
        bench.rows.append(
            Row(
                3,
                f"round trips: {step.label}" + (" — session's first turn" if first else ""),
                describe_calls(ours),
                describe_calls(floor),
                target=f"≤ {step.max_calls}",
                met=count <= step.max_calls,
                note="" if same else "the baseline no longer makes the same calls: fix the floor",
            )
        )
    bench.results["round_trips"] = table


# -- 1. per-turn latency --------------------------------------------------------------------------


@dataclass
class Talk:
    """One timed conversation: per turn, handler ms and ms of it spent waiting on DynamoDB."""

    times: dict[str, tuple[float, float]]
    calls: int


def converse(bench: Bench, name: str, tag: str) -> Talk:
    """One whole conversation for a new couple, which is deleted afterwards."""
    household = Household(bench.handlers[name], user_id(tag))
    times: dict[str, tuple[float, float]] = {}
    bench.proxy.take()
    try:
        for step in CONVERSATION:
            bench.proxy.take_server_ms()
            elapsed, raw = household.turn(step)
            times[step.key] = elapsed, bench.proxy.take_server_ms()
            if step.key == "recap":
                check_recap(raw, tag)
        return Talk(times, sum(bench.proxy.take().values()))
    finally:
        bench.forget(household.device.user_id)


def area(filename: str, function: str) -> str:
    """Which package a profiled function belongs to, for the 'why' of a slow turn."""
    if filename == "~":  # a C function: socket waits are DynamoDB, the rest is the caller's
        waits = ("recv", "send", "poll", "select", "connect")
        return "socket wait" if any(w in function for w in waits) else "C builtins"
    path = Path(filename)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if path.is_relative_to(REPO):
        return ".".join(path.relative_to(REPO).with_suffix("").parts[:2])
    lib = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if lib in path.parts and path.parts.index(lib) + 1 < len(path.parts):
        return "stdlib " + path.parts[path.parts.index(lib) + 1].removesuffix(".py")
    return path.name


class ProfiledHandler:
    """Wraps a Lambda handler with one cProfile per conversation step."""

    def __init__(self, handler: LambdaHandler) -> None:
        self.handler = handler
        self.step = ""
        self.profilers: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        profiler = self.profilers[self.step]
        profiler.enable()
        try:
            return self.handler(event, context)
        finally:
            profiler.disable()


def profile_turns(bench: Bench, name: str) -> dict[str, dict[str, float]]:
    """Own time (ms per turn) by package, under cProfile: where a turn's time goes."""
    profiled = ProfiledHandler(bench.handlers[name])
    runs = bench.plan.profile_runs
    for run in range(runs):
        household = Household(profiled, user_id(f"{name}-profile-{run}"))
        for step in CONVERSATION:
            profiled.step = step.key
            household.turn(step)
        bench.forget(household.device.user_id)
    breakdown: dict[str, dict[str, float]] = {}
    for key, profiler in profiled.profilers.items():
        areas: dict[str, float] = defaultdict(float)
        for entry in profiler.getstats():
            code = entry.code
            if isinstance(code, str):  # a C function, labelled as cProfile labels it
                where = area("~", code)
            else:
                where = area(code.co_filename, code.co_name)
            areas[where] += entry.inlinetime * 1000 / runs
        breakdown[key] = dict(sorted(areas.items(), key=lambda kv: -kv[1]))
    return breakdown


def extra_by_area(ours: dict[str, float], floor: dict[str, float], top: int = 3) -> str:
    """The packages that account for most of Stagewise's extra (profiled) time on a turn."""
    extra = {k: ours.get(k, 0.0) - floor.get(k, 0.0) for k in set(ours) | set(floor)}
    positive = {k: v for k, v in extra.items() if v > 0 and k != "socket wait"}
    total = sum(positive.values())
    if total <= 0:
        return ""
    parts = []
    for name, value in sorted(positive.items(), key=lambda kv: -kv[1])[:top]:
        why = f" ({WHY_AREA[name]})" if name in WHY_AREA else ""
        parts.append(f"{name}{why} {100 * value / total:.0f} %")
    return "of the extra CPU time (cProfile): " + ", ".join(parts)


def per_turn_latency(bench: Bench) -> None:
    """Alternating whole conversations, a new couple each, timing each handler call."""
    plan = bench.plan
    for run in range(plan.warmup_runs):  # connections, caches, first-call imports
        for name in SKILLS:
            converse(bench, name, f"warm-{name}-{run}")
    samples: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in SKILLS}
    own: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in SKILLS}
    trips = bench.results.get("round_trips", [])
    expected = {n: sum(sum(turn[n].values()) for turn in trips) for n in SKILLS}
    retried_calls = Counter[str]()
    redone: list[str] = []
    run = 0
    while run < plan.turn_runs:
        order = SKILLS if run % 2 == 0 else SKILLS[::-1]  # neither always goes first
        try:
            talks = {name: converse(bench, name, f"{name}-{run}") for name in order}
        except (BenchError, BotoCoreError, ClientError) as err:
            # A stall in the stand-in server (a call past the client's 1 s read timeout) breaks
            # a conversation; redo the pair a few times, then give up rather than loop.
            redone.append(f"run {run}: {type(err).__name__}: {err}")
            if len(redone) > MAX_REDONE:
                raise BenchError(f"{len(redone)} conversations failed; last: {redone[-1]}") from err
            continue
        for name, talk in talks.items():
            for key, (elapsed, waited) in talk.times.items():
                samples[name][key].append(elapsed)
                own[name][key].append(elapsed - waited)
            if trips:  # more calls than the conversation makes are retries: note them
                retried_calls[name] += max(0, talk.calls - expected[name])
        run += 1
    profile = {name: profile_turns(bench, name) for name in SKILLS}
    figures: dict[str, Any] = {}
    for key in LATENCY_STEPS:
        ours, floor = summary(samples["stagewise"][key]), summary(samples["baseline"][key])
        ratio = ours["median_ms"] / floor["median_ms"]
        extra_ms = ours["median_ms"] - floor["median_ms"]
        why = extra_by_area(profile["stagewise"][key], profile["baseline"][key])
        # The handler's time less its wait on DynamoDB: each skill's own work on the turn.
        own_ours, own_floor = summary(own["stagewise"][key]), summary(own["baseline"][key])
        figures[key] = {
            "stagewise": ours,
            "baseline": floor,
            "ratio": round(ratio, 3),
            "extra_ms": round(extra_ms, 3),
            "p99_ratio": round(ours["p99_ms"] / floor["p99_ms"], 3),
            "without_server_wait": {"stagewise": own_ours, "baseline": own_floor},
            "profile_ms_per_turn": {n: profile[n][key] for n in SKILLS},
        }
        met = ratio <= 1.2
        note = ""
        if not met:
            note = (
                f"{extra_ms:+.2f} ms a turn over the floor (own work, less the wait on "
                f"DynamoDB: {own_ours['median_ms']:.2f} vs {own_floor['median_ms']:.2f} ms); " + why
            )
        bench.rows.append(
            Row(
                1,
                f"latency: {STEPS[key].label} (median / p99 ms)",
                ms_pair(ours),
                ms_pair(floor),
                fmt_ratio(ratio, 1.2),
                "≤ 1.2",
                met,
                note,
            )
        )
    bench.results["per_turn"] = {
        "runs": plan.turn_runs,
        "turns": figures,
        "retried_calls": dict(retried_calls),
        "redone_conversations": redone,
    }


# -- 4. scale of the history ----------------------------------------------------------------------


def load_history(bench: Bench, household_id: str, answers: int) -> None:
    """A couple with `answers` answers, one question a day back from START, both partners."""
    store = DynamoStore(bench.direct, bench.table)
    store.put_profile(Profile(household_id=household_id, partner_a="Sam", partner_b="Alex"))
    bank = load_content().questions[1]
    serialize = TypeSerializer().serialize
    items = []
    for n in range(answers):
        day, partner = divmod(n, 2)
        question = bank[day % len(bank)]
        answer = Answer(
            household_id=household_id,
            answered_at=START - timedelta(days=day + 1, minutes=5 * (2 - partner)),
            partner="ab"[partner],
            partner_name=("Sam", "Alex")[partner],
            stage=1,
            question_id=question.id,
            question_text=question.text,
            text=f"what I said on day {day}",
        )
        items.append({k: serialize(v) for k, v in answer_to_item(answer).items()})
    for start in range(0, len(items), 25):
        pending: dict[str, Any] = {
            bench.table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        }
        for _ in range(5):  # bounded: moto takes everything, real DynamoDB may not
            pending = bench.direct.batch_write_item(RequestItems=pending).get("UnprocessedItems")
            if not pending:
                break
        if pending:
            raise BenchError("DynamoDB kept answers unprocessed while loading the history")


def history(bench: Bench) -> None:
    """Recap latency with 10 and with 10,000 answers stored; the same week is read back.

    Both couples live in the same table, so the only difference is the couple's history.
    Each recap is also timed without the wait on the server (measured at the proxy): moto's
    Query scans the whole table and sorts the partition, which DynamoDB does not, so that
    part says more about the stand-in than about Stagewise.
    """
    couples = {size: user_id(f"history-{size}") for size in HISTORY_SIZES}
    try:
        for size, household_id in couples.items():
            load_history(bench, household_id, size)
        recap_latency(bench, couples)
    finally:  # the later sections' calls must not pay for 10,000 items in moto
        for household_id in couples.values():
            bench.forget(household_id)


def recap_latency(bench: Bench, couples: dict[int, str]) -> None:
    """Time the recap of each couple, alternating sizes and skills; add the table rows."""
    recap = replace(STEPS["recap"], days_later=0)
    total: dict[str, dict[int, list[float]]] = {n: defaultdict(list) for n in SKILLS}
    own: dict[str, dict[int, list[float]]] = {n: defaultdict(list) for n in SKILLS}
    read_back: dict[int, set[tuple[str, ...]]] = defaultdict(set)
    for run in range(bench.plan.warmup_runs + bench.plan.history_runs):
        sizes = HISTORY_SIZES if run % 2 == 0 else HISTORY_SIZES[::-1]
        for size in sizes:
            for name in SKILLS if run % 2 == 0 else SKILLS[::-1]:
                household = Household(bench.handlers[name], couples[size])
                bench.proxy.take_server_ms()
                elapsed, raw = household.turn(recap)
                waited = bench.proxy.take_server_ms()
                if run >= bench.plan.warmup_runs:
                    total[name][size].append(elapsed)
                    own[name][size].append(elapsed - waited)
                # Wording varies by request; which answers were read must not (a timed-out
                # Query would read none, and its time would not be a recap's).
                days = re.findall(r"what I said on day (\d+)", speech(raw))
                read_back[size].add((name, *sorted(set(days))))
    small, large = HISTORY_SIZES
    if read_back[small] != read_back[large] or len(read_back[small]) != len(SKILLS):
        raise BenchError(f"the recaps read different answers: {dict(read_back)}")
    days = next(list(read[1:]) for read in read_back[small] if read[0] == "stagewise")

    def figures(samples: dict[str, dict[int, list[float]]]) -> dict[str, dict[int, Any]]:
        return {n: {size: summary(samples[n][size]) for size in HISTORY_SIZES} for n in SKILLS}

    def ratios(table: dict[str, dict[int, Any]]) -> dict[str, float]:
        return {n: table[n][large]["median_ms"] / table[n][small]["median_ms"] for n in SKILLS}

    def pair(table: dict[str, dict[int, Any]], name: str) -> str:
        return f"{table[name][large]['median_ms']:.2f} vs {table[name][small]['median_ms']:.2f}"

    whole, skill_side = figures(total), figures(own)
    whole_ratio, own_ratio = ratios(whole), ratios(skill_side)
    bench.results["history"] = {
        "runs": bench.plan.history_runs,
        "answers_stored": list(HISTORY_SIZES),
        "stagewise_read_back_days": days,
        "latency": {n: {str(k): v for k, v in whole[n].items()} for n in SKILLS},
        "latency_ratio": {n: round(v, 3) for n, v in whole_ratio.items()},
        "without_server_wait": {n: {str(k): v for k, v in skill_side[n].items()} for n in SKILLS},
        "without_server_wait_ratio": {n: round(v, 3) for n, v in own_ratio.items()},
    }
    met = whole_ratio["stagewise"] <= 1.2
    note = ""
    if not met:
        note = (
            f"the stand-in server's cost, not Stagewise's: the baseline's identical Query "
            f"slows {whole_ratio['baseline']:.2f}× too, and without the wait on the server "
            f"Stagewise's ratio is {own_ratio['stagewise']:.2f} (next row). moto sorts the "
            f"whole partition on every Query; DynamoDB reads the key range (Limit 8)"
        )
    bench.rows.append(
        Row(
            4,
            f"recap, {large:,} vs {small} answers stored (median ms; every recap scans "
            f"{large + small:,}+ items in moto)",
            pair(whole, "stagewise"),
            pair(whole, "baseline"),
            fmt_ratio(whole_ratio["stagewise"], 1.2),
            "≤ 1.2",
            met,
            note,
        )
    )
    bench.rows.append(
        Row(
            4,
            f"recap, {large:,} vs {small} stored, handler time less the wait on the server",
            pair(skill_side, "stagewise"),
            pair(skill_side, "baseline"),
            fmt_ratio(own_ratio["stagewise"], 1.2),
            "≤ 1.2",
            own_ratio["stagewise"] <= 1.2,
        )
    )


# -- 2. cold start --------------------------------------------------------------------------------


def run_child(bench: Bench, name: str, *python_flags: str) -> tuple[dict[str, Any], str]:
    """A fresh interpreter importing one Lambda module and answering a new couple's launch."""
    event_path = bench.work / f"cold-{uuid.uuid4().hex}.json"
    device = alexa.Device(user_id=user_id(f"cold-{name}"))
    device.new_session()
    event_path.write_text(json.dumps(device.envelope(alexa.launch(), START)))
    command = [
        sys.executable,
        *python_flags,
        str(REPO / "bench" / "cold_start.py"),
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


def cold_start(bench: Bench) -> None:
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
    if ratio > 1.1:
        note = (
            f"{ours['median_total_ms'] - floor['median_total_ms']:+.0f} ms: import "
            f"{ours['median_import_ms'] - floor['median_import_ms']:+.0f} ms, first request "
            f"{ours['median_first_request_ms'] - floor['median_first_request_ms']:+.0f} ms; "
            f"by -X importtime, Stagewise's {len(own_modules)} own modules take "
            f"{extra['skill'] / 1000:.0f} ms (heaviest, ms: {heaviest}); other extra imports: "
            f"{others or 'none'}. Creating the boto3 client and importing boto3 and "
            f"the SDK are common to both"
        )
    bench.rows.append(
        Row(
            2,
            "cold start: import + first request (median ms)",
            f"{ours['median_total_ms']:.0f} (import {ours['median_import_ms']:.0f})",
            f"{floor['median_total_ms']:.0f} (import {floor['median_import_ms']:.0f})",
            fmt_ratio(ratio, 1.1),
            "≤ 1.1",
            ratio <= 1.1,
            note,
        )
    )
    bench.rows.append(
        Row(
            2,
            "cold start: peak RSS (MB)",
            f"{ours['peak_rss_mb']:.1f}",
            f"{floor['peak_rss_mb']:.1f}",
            fmt_ratio(ours["peak_rss_mb"] / floor["peak_rss_mb"]),
        )
    )


# -- 5. web service -------------------------------------------------------------------------------


def stop_group(process: subprocess.Popen[Any]) -> None:
    """Stop a child we started in its own process group, and anything it left running.

    After a normal exit the group is empty and this returns at once; after a timeout or an
    interrupt it also stops what the child started (gunicorn, pip), which would outlive it.
    """
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    time.sleep(1)  # let grandchildren finish their own SIGTERM shutdown
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=15)


def run_bounded(command: list[str], env: dict[str, str], timeout: float) -> tuple[int, str, str]:
    """Run a command in its own process group; stop the whole group afterwards, always."""
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as err:
        raise BenchError(f"{Path(command[1]).name} took longer than {timeout:.0f} s") from err
    finally:
        stop_group(process)
    return process.returncode, stdout, stderr


def web_service(bench: Bench) -> None:
    """bench/web_load.py (a colleague's): gunicorn with verification on vs a trivial app."""
    script = REPO / "bench" / "web_load.py"
    if not script.exists():
        raise BenchError("bench/web_load.py is missing")
    out = bench.work / "web.json"
    command = [sys.executable, str(script), "--out", str(out)]
    if bench.plan.quick:
        command.append("--quick")
    code, stdout, stderr = run_bounded(command, bench.clean_env, timeout=300)
    try:
        report: dict[str, Any] = json.loads(out.read_text() if out.exists() else stdout)
    except json.JSONDecodeError as err:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"bench/web_load.py exited {code} without JSON: {tail}") from err
    bench.results["web"] = report
    skill, trivial = report["skill"], report["trivial"]
    errors = skill["errors"] + trivial["errors"] + skill["warm_up_errors"]
    if code != 0 or errors:
        raise BenchError(f"bench/web_load.py exited {code} with {errors} failed requests")
    ratio = float(report["skill_to_trivial_throughput"])
    concurrency = report["concurrency"]
    note = ""
    if ratio < 0.5:
        extra = skill["latency_ms"]["p50"] - trivial["latency_ms"]["p50"]
        note = (
            f"at {100 * ratio:.0f} % of the trivial app: +{extra:.1f} ms per request at p50 "
            "(signature check, skill, SQLite); details in the web JSON"
        )
    bench.rows.append(
        Row(
            5,
            f"web: requests/s at concurrency {concurrency} (gunicorn; skill vs trivial app)",
            f"{skill['requests_per_s']:.0f}",
            f"{trivial['requests_per_s']:.0f}",
            fmt_ratio(ratio, 0.5),
            "≥ 0.50",
            ratio >= 0.5,
            note,
        )
    )
    bench.rows.append(
        Row(
            5,
            "web: p50 / p99 ms (signature verified, SQLite store)",
            f"{skill['latency_ms']['p50']:.1f} / {skill['latency_ms']['p99']:.1f}",
            f"{trivial['latency_ms']['p50']:.1f} / {trivial['latency_ms']['p99']:.1f}",
            fmt_ratio(skill["latency_ms"]["p50"] / trivial["latency_ms"]["p50"]),
        )
    )


# -- 6. bundle ------------------------------------------------------------------------------------


def sizes_by_distribution(root: Path) -> tuple[int, Counter[str], int]:
    """Bytes under `root` (bytecode apart), bytes per distribution, and the bytecode's bytes.

    build.sh compiles bytecode because Lambda cannot write it at run time; it is reported
    on its own so the package sizes compare with what pip installs.
    """
    owner: dict[Path, str] = {}
    for record in root.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0].replace("_", "-").lower()
        for line in record.read_text().splitlines():
            if line:
                owner[(root / line.split(",")[0]).resolve()] = name
    total, sizes, bytecode = 0, Counter[str](), 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            if path.suffix == ".pyc":
                bytecode += size
                continue
            total += size
            sizes[owner.get(path.resolve(), path.relative_to(root).parts[0])] += size
    return total, sizes, bytecode


def zipped_size(root: Path, target: Path) -> int:
    """The size of the deployment zip Lambda would be given."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(root))
    return target.stat().st_size


def bundle(bench: Bench) -> None:
    """lambda/build.sh's output: measured, then removed."""
    build = REPO / "lambda" / "build"
    try:
        code, _stdout, stderr = run_bounded(
            ["bash", str(REPO / "lambda" / "build.sh")], bench.clean_env, timeout=600
        )
        if code != 0:
            tail = (stderr.strip().splitlines() or ["no output"])[-1]
            raise BenchError(f"lambda/build.sh exited {code}: {tail}")
        total, sizes, bytecode = sizes_by_distribution(build)
        zipped = zipped_size(build, bench.work / "bundle.zip")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    mb = total / 1_000_000
    largest = sizes.most_common(5)
    provided = sum(v for k, v in sizes.items() if k in RUNTIME_PROVIDED)
    bench.results["bundle"] = {
        "bytes": total,
        "mb": round(mb, 2),
        "zipped_bytes": zipped,
        "bytecode_bytes": bytecode,
        "largest": {k: v for k, v in largest},
        "runtime_provided_bytes": provided,
        "target_mb": BUNDLE_TARGET_MB,
    }
    met = mb <= BUNDLE_TARGET_MB
    top = ", ".join(f"{k} {v / 1_000_000:.1f}" for k, v in largest)
    note = f"largest (MB): {top}"
    if not met:
        head, head_bytes = largest[0]
        why = WHY_PACKAGE.get(head, "")
        note = (
            f"over by {mb - BUNDLE_TARGET_MB:.1f} MB ({100 * (mb / BUNDLE_TARGET_MB - 1):.0f} %): "
            f"{head} alone is {head_bytes / 1_000_000:.1f} MB"
            + (f" ({why})" if why else "")
            + f"; {provided / 1_000_000:.1f} MB is boto3's own dependencies "
            f"({', '.join(sorted(k for k in RUNTIME_PROVIDED if sizes.get(k)))}), "
            "which the Lambda runtime already has but build.sh keeps for version safety. " + note
        )
    bench.rows.append(
        Row(
            6,
            "bundle: lambda/build (skill + runtime deps, no boto3), unzipped",
            f"{mb:.1f} MB (+{bytecode / 1_000_000:.1f} MB bytecode; "
            f"{zipped / 1_000_000:.1f} MB zipped)",
            "—",
            target=f"≤ {BUNDLE_TARGET_MB:.0f} MB",
            met=met,
            note=note,
        )
    )


# -- the report -----------------------------------------------------------------------------------


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


SECTIONS: tuple[tuple[int, str, Callable[[Bench], None]], ...] = (
    (3, "round-trips", round_trips),  # first: the latency runs check their call counts against it
    (1, "per-turn", per_turn_latency),
    (4, "history", history),
    (2, "cold-start", cold_start),
    (5, "web", web_service),
    (6, "bundle", bundle),
)


def progress(message: str) -> None:
    """A progress line on stderr, so stdout stays the table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def measure(plan: Plan, work: Path, only: set[str]) -> tuple[Bench, list[dict[str, str]]]:
    """Start the local DynamoDB, load both skills and run every section."""
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "STAGEWISE_")) and k != "PYTHONPATH"
    }
    failures: list[dict[str, str]] = []
    with ExitStack() as running:
        os.environ.update(FAKE_AWS)
        os.environ.pop("STAGEWISE_SKILL_ID", None)
        os.environ.pop("STAGEWISE_AUDIO_BASE_URL", None)
        moto = running.enter_context(MotoServer(work / "moto.log"))
        proxy = running.enter_context(CountingProxy(moto.port))
        direct = boto3.session.Session().client(
            "dynamodb", endpoint_url=moto.url, config=LOADING_CONFIG
        )
        table = f"stagewise-bench-{uuid.uuid4().hex[:8]}"
        DynamoStore(direct, table).create()
        # Both skills reach DynamoDB only through the proxy, so both pay the same hop.
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.url
        os.environ["STAGEWISE_STORE"] = f"dynamodb://{table}"
        check_same_client_config()
        handlers = {
            name: load_lambda_module(name, path).lambda_handler
            for name, path in LAMBDA_MODULES.items()
        }
        child_env = {
            **{k: v for k, v in clean_env.items() if k != "PYTHONDONTWRITEBYTECODE"},
            **FAKE_AWS,
            "AWS_ENDPOINT_URL_DYNAMODB": proxy.url,
            "STAGEWISE_STORE": f"dynamodb://{table}",
            "PYTHONPATH": str(REPO),
            # Cold starts compare imports, not compiling: every module (Stagewise's, the
            # baseline's, the libraries') gets its bytecode cached here by the discarded first
            # run, outside the checkout, whatever PYTHONDONTWRITEBYTECODE says.
            "PYTHONPYCACHEPREFIX": str(work / "pycache"),
        }
        bench = Bench(plan, work, moto, proxy, table, direct, handlers, child_env, clean_env)
        for item, name, section in SECTIONS:
            if only and name not in only:
                continue
            progress(f"{item}. {name}")
            started = time.perf_counter()
            try:
                section(bench)
            except Exception as err:  # one broken section must not hide the others' figures
                reason = f"{type(err).__name__}: {err}"
                failures.append(
                    {"section": name, "reason": reason, "traceback": traceback.format_exc()}
                )
                bench.rows.append(Row(item, f"{name}: MISSING", "—", "—", note=reason))
            bench.results.setdefault("section_seconds", {})[name] = round(
                time.perf_counter() - started, 1
            )
        bench.results["proxy"] = {"replies_dropped_after_client_timeout": proxy.dropped}
    return bench, failures


def stop_on_sigterm(signum: int, frame: object) -> None:
    """A CI timeout sends SIGTERM: exit through the context managers that stop moto."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark, print the table, write the JSON; 1 if a measurement is missing."""
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few runs: proves it still works")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "latest.json", help="JSON path"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[name for _, name, _ in SECTIONS],
        default=[],
        help="run just this section (repeatable); the default runs them all",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="stagewise-bench-") as tmp:
            bench, failures = measure(plan, Path(tmp), set(args.only))
    except Exception as err:  # setup failed: nothing to report but the reason
        print(f"bench: failed to start: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    table = markdown(bench.rows)
    report = {
        "plan": asdict(plan),
        "seconds": round(seconds, 1),
        "machine": machine(),
        **bench.results,
        "rows": [asdict(row) for row in bench.rows],
        "failures": failures,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    info = report["machine"]
    print(
        f"{'Quick run' if plan.quick else 'Full run'} in {seconds:.0f} s on {info['cpus']} CPUs "
        f"({info['cpu']}, {info['memory_gb']} GB), Python {info['python']}\n"
    )
    print(table)
    print(f"\nJSON: {args.out}")
    if failures:
        first = failures[0]
        more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
        print(f"bench: {first['section']} missing: {first['reason']}{more}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
