"""Issue 5, item 1: per-turn latency, median and p99 of the handler call, turn by turn.

Measures: whole conversations (bench/driver.py), each with a new couple, alternating which
skill goes first, timing each Lambda handler call in this process against moto through the
counting proxy; each turn is also timed less its wait on DynamoDB (the skill's own work), and
profiled with cProfile to say where Stagewise's extra time goes when a turn misses.
Against: the bare ask-sdk-core baseline making the same DynamoDB calls, in the same run.
Target: median ratio Stagewise / baseline ≤ 1.2 on every turn in LATENCY_STEPS.
"""

from __future__ import annotations

import cProfile
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bench.driver import (
    CONVERSATION,
    JOURNEY,
    RECAP_STAGE,
    BenchError,
    Household,
    LambdaHandler,
    check_turn,
)
from bench.harness import REPO, SKILLS, Bench, user_id
from bench.report import LATENCY_RATIO, Row, fmt_ratio, ms_pair, summary

ITEM = 1
# The conversation, then issue 10's one-shot turns on the next days: the journey summary and
# a recap of stage one (the couple's answers are in it).
TALK = (*CONVERSATION, JOURNEY, RECAP_STAGE)
STEPS = {step.key: step for step in TALK}
LATENCY_STEPS = (
    "launch",
    "question",
    "first_answer",
    "second_answer",
    "recap",
    "one_shot_question",
    "help",
    "repeat",
    "journey",
    "recap_stage",
)
MAX_REDONE = 3  # conversations it may redo after a stall before it reports failure
# What a profiled area does on a turn, for the note on a slow one (from reading the profiles).
WHY_AREA = {
    "stdlib copy": "ask-sdk-core deep-copies the session attributes, which carry the profile",
    "skill.records": "session state to and from attributes",
    "skill.handlers": "handlers",
    "skill.speech": "SSML",
    "skill.content": "content lookup",
    "skill.privacy": "the log line",
}


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
        for step in TALK:
            bench.proxy.take_server_ms()
            elapsed, raw = household.turn(step)
            times[step.key] = elapsed, bench.proxy.take_server_ms()
            check_turn(step.key, raw, tag)
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
        for step in TALK:
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


def measure(bench: Bench) -> list[Row]:
    """Alternating whole conversations, a new couple each, timing each handler call."""
    plan = bench.plan
    for run in range(plan.warmup_runs):  # connections, caches, first-call imports
        for name in SKILLS:
            converse(bench, name, f"warm-{name}-{run}")
    samples: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in SKILLS}
    own: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in SKILLS}
    # With the round trips measured first, more calls than the conversation makes are retries.
    trips = [turn for turn in bench.results.get("round_trips", []) if turn["turn"] in STEPS]
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
            if trips:
                retried_calls[name] += max(0, talk.calls - expected[name])
        run += 1
    profile = {name: profile_turns(bench, name) for name in SKILLS}
    figures: dict[str, Any] = {}
    rows = []
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
        met = ratio <= LATENCY_RATIO
        note = ""
        if not met:
            note = (
                f"{extra_ms:+.2f} ms a turn over the floor (own work, less the wait on "
                f"DynamoDB: {own_ours['median_ms']:.2f} vs {own_floor['median_ms']:.2f} ms); " + why
            )
        rows.append(
            Row(
                ITEM,
                f"latency: {STEPS[key].label} (median / p99 ms)",
                ms_pair(ours),
                ms_pair(floor),
                fmt_ratio(ratio, LATENCY_RATIO),
                f"≤ {LATENCY_RATIO}",
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
    return rows
