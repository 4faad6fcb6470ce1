"""Issue 5, item 3: DynamoDB round trips on every turn of a full conversation.

Measures: requests per turn, by operation, counted at the proxy in front of moto (so retries
count too), for one whole conversation of a new couple (bench/driver.py's CONVERSATION).
Against: the bare ask-sdk-core baseline, which must make exactly the same calls; a row notes
it when it no longer does. Target: at most 2 on a session's first turn, at most 1 after,
0 for help and repeat (each step's `max_calls`).
"""

from __future__ import annotations

from collections import Counter

from bench.driver import CONVERSATION, Household, check_recap
from bench.harness import SKILLS, Bench, user_id
from bench.report import Row

ITEM = 3


def describe_calls(calls: Counter[str]) -> str:
    """'2 (GetItem + PutItem)': how many round trips, and which."""
    total = sum(calls.values())
    names = " + ".join(f"{op}×{n}" if n > 1 else op for op, n in sorted(calls.items()))
    return f"{total} ({names})" if total else "0"


def measure(bench: Bench) -> list[Row]:
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
    rows = []
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
        rows.append(
            Row(
                ITEM,
                f"round trips: {step.label}" + (" — session's first turn" if first else ""),
                describe_calls(ours),
                describe_calls(floor),
                target=f"≤ {step.max_calls}",
                met=count <= step.max_calls,
                note="" if same else "the baseline no longer makes the same calls: fix the floor",
            )
        )
    bench.results["round_trips"] = table
    return rows
