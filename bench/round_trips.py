"""Issue 5, item 3 (and issue 10's budgets): DynamoDB round trips per turn.

Measures: requests per turn, by operation, counted at the proxy in front of moto (so retries
count too), for one whole conversation of a new couple (bench/driver.py's CONVERSATION), then
issue 10's turns, each in a household set up for it (JOURNEY_SCENARIOS): the journey summary
one-shot and within a session, a recap by stage, and the second answer of an evening that
brings the year-ago offer (the couple answered exactly a year earlier, replayed by timestamp);
and issue 21's couple a year on whose weeks a year back are empty: the evening that looks,
and the next evening, which must not look again.
Against: the bare ask-sdk-core baseline, which must make exactly the same calls; a row notes
it when it no longer does. Target: at most 2 on a session's first turn, at most 1 after,
0 for help and repeat; the summary at most 1 one-shot and 0 within a session; at most 2 on the
year-ago second answer; 1 on the second answer the evening after an empty look (each step's
`max_calls`).
"""

from __future__ import annotations

from collections import Counter

from bench import alexa_calls
from bench.driver import CONVERSATION, JOURNEY_SCENARIOS, Household, Scenario, Step, check_turn
from bench.harness import SKILLS, Bench, user_id
from bench.report import Row

ITEM = 3
WHOLE_CONVERSATION = Scenario("conversation", CONVERSATION, tuple(s.key for s in CONVERSATION))


def describe_calls(calls: Counter[str]) -> str:
    """'2 (GetItem + PutItem)': how many round trips, and which."""
    total = sum(calls.values())
    names = " + ".join(f"{op}×{n}" if n > 1 else op for op, n in sorted(calls.items()))
    return f"{total} ({names})" if total else "0"


def play(bench: Bench, name: str, scenario: Scenario) -> dict[str, Counter[str]]:
    """One household through a scenario: the calls of each reported step, by operation."""
    household = Household(bench.handlers[name], user_id(f"trips-{name}"), scenario.start)
    bench.proxy.take()
    counts: dict[str, Counter[str]] = {}
    try:
        for step in scenario.turns:
            _, raw = household.turn(step)
            calls = bench.proxy.take()
            if step.key in scenario.reported:
                counts[step.key] = calls
            check_turn(step.key, raw, f"{name} {scenario.key}")
    finally:
        bench.forget(household.device.user_id)
    return counts


def row(
    scenario: Scenario, step: Step, ours: Counter[str], floor: Counter[str]
) -> tuple[Row, dict[str, object]]:
    """One step's row, and its JSON figures."""
    count = sum(ours.values())
    same = ours == floor
    figures = {
        "scenario": scenario.key,
        "turn": step.key,
        "stagewise": dict(ours),
        "baseline": dict(floor),
        "budget": step.max_calls,
        "met": count <= step.max_calls,
        "baseline_matches": same,
    }
    first = " — session's first turn" if step.new_session else ""
    return (
        Row(
            ITEM,
            f"round trips: {step.label}{first}",
            describe_calls(ours),
            describe_calls(floor),
            target=f"≤ {step.max_calls}",
            met=count <= step.max_calls,
            note=""
            if same
            else step.floor_differs or "the baseline no longer makes the same calls: fix the floor",
        ),
        figures,
    )


def measure(bench: Bench) -> list[Row]:
    """Every turn of a full conversation, then issue 10's turns, for both skills."""
    table = []
    rows = []
    scenarios = (WHOLE_CONVERSATION, *JOURNEY_SCENARIOS)
    counted: dict[str, dict[str, Counter[str]]] = {name: {} for name in SKILLS}
    for scenario in scenarios:
        per_skill = {name: play(bench, name, scenario) for name in SKILLS}
        for step in scenario.steps:
            ours, floor = per_skill["stagewise"][step.key], per_skill["baseline"][step.key]
            line, figures = row(scenario, step, ours, floor)
            rows.append(line)
            table.append(figures)
        for name in SKILLS:
            counted[name].update(per_skill[name])
    bench.results["round_trips"] = table
    # Issue 9: the same turns with the Alexa API reachable, counted the same way.
    rows += alexa_calls.measure(bench, scenarios, counted["stagewise"], counted["baseline"])
    return rows
