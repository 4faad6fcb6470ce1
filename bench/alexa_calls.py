"""Issue 9's Alexa API budget, counted per turn like DynamoDB calls (part of item 3).

Measures: the same turns as bench/round_trips.py, with `apiAccessToken` and `apiEndpoint` in
every envelope, on a Stagewise built with its real HTTP client (skill.alexa_api.HttpAlexaApi)
pointed at a fake Alexa API over HTTPS on loopback (tests/alexa_https.py, a throwaway CA the
client is told to trust; the device is in America/New_York). Alexa API requests are counted
where the fake serves them; DynamoDB requests at the proxy, as in round_trips.py.
Against: the bare baseline's DynamoDB calls on the same turn (it makes no Alexa API call).
Target: Alexa API at most 1 a turn, and 0 on a turn that needs no day (names, help, repeat)
or whose day's time zone an earlier turn already asked for (issue 9: "refreshed at most once
a day"); the turn's DynamoDB budget still holds with the API on (each step's `max_calls`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.driver import BenchError, Household, LambdaHandler, Scenario, Step, check_turn
from bench.harness import Bench, user_id
from bench.report import Row
from skill.alexa_api import AlexaApi, HttpAlexaApi
from skill.app import build_skill, handle_event
from stagewise_tools.fake_alexa import FakeAlexa
from tests.alexa_https import amazon_over_https

ITEM = 3
ZONE = "America/New_York"
TOKEN = "in-session-token"  # the one tests/alexa_https.py accepts
MAX_API_CALLS = 1
NO_DAY = frozenset({"first_name", "second_name", "help", "repeat"})  # turns that need no day
# Turns that only read (a recap, the summary) use the zone last stored: only a turn that
# writes asks Alexa, and keeps the answer with its write, so the zone is asked at most
# once a day (issue 9); these need no call, nor does a turn after that day's check.
CHECKED_TODAY = frozenset({"recap", "journey", "recap_stage", "journey_in_session"})


@dataclass
class Fake:
    """The fake Alexa API on loopback, and a skill whose HTTP client trusts its CA."""

    account: FakeAlexa
    handler: LambdaHandler
    endpoint: str

    def take(self) -> Counter[str]:
        """Alexa API requests served since the last take, by call; counting starts again."""
        taken = Counter(self.account.calls)
        self.account.calls.clear()
        return taken


@contextmanager
def fake_alexa(bench: Bench) -> Iterator[Fake]:
    """Serve a fake Alexa account over HTTPS; build Stagewise (DynamoDB via the proxy) on it."""
    folder = bench.work / "alexa"
    folder.mkdir(exist_ok=True)
    account = FakeAlexa(zone=ZONE)
    with amazon_over_https(account, folder) as (endpoint, trusted):

        def client(api_endpoint: str, token: str) -> AlexaApi:
            return HttpAlexaApi(api_endpoint, token, ssl_context=trusted)

        app = build_skill(alexa_api=client)  # the store from STAGEWISE_STORE, as Lambda does

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return handle_event(app, event, context)

        yield Fake(account, handler, endpoint)


def play(
    bench: Bench, fake: Fake, scenario: Scenario
) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """One household with a token: (Alexa API calls, DynamoDB calls) of each reported step."""
    household = Household(fake.handler, user_id("alexa"), scenario.start)
    household.device.api_token = TOKEN
    household.device.api_endpoint = fake.endpoint
    bench.proxy.take()
    fake.take()
    counts: dict[str, tuple[Counter[str], Counter[str]]] = {}
    try:
        for step in scenario.turns:
            _, raw = household.turn(step)
            calls = fake.take(), bench.proxy.take()
            if step.key in scenario.reported:
                counts[step.key] = calls
            check_turn(step.key, raw, f"stagewise with the Alexa API, {scenario.key}")
    finally:
        bench.forget(household.device.user_id)
    return counts


def describe(calls: Counter[str]) -> str:
    total = sum(calls.values())
    names = " + ".join(f"{op}×{n}" if n > 1 else op for op, n in sorted(calls.items()))
    return f"{total} ({names})" if total else "0"


def row(
    step: Step,
    api: Counter[str],
    dynamo: Counter[str],
    without_api: Counter[str],
    floor: Counter[str],
) -> tuple[Row, dict[str, object]]:
    """One step's row: Alexa API and DynamoDB calls with the token on, against the floor."""
    api_limit = 0 if step.key in NO_DAY | CHECKED_TODAY else MAX_API_CALLS
    api_total, dynamo_total = sum(api.values()), sum(dynamo.values())
    met = api_total <= api_limit and dynamo_total <= step.max_calls
    notes = []
    if api_total > api_limit:
        notes.append(f"{api_total} Alexa API calls where {api_limit} is the most")
        if step.key in CHECKED_TODAY:
            notes.append(
                "the zone was asked for on this day's earlier turn, which wrote nothing, so "
                "the check was never stored (issue 9: refreshed at most once a day)"
            )
    if dynamo_total > step.max_calls:
        notes.append(f"DynamoDB {dynamo_total} with the API on, over its {step.max_calls}")
    if dynamo != without_api:
        notes.append(f"DynamoDB without a token: {describe(without_api)}")
    first = " — session's first turn" if step.new_session else ""
    figures = {
        "turn": step.key,
        "alexa_api": dict(api),
        "dynamodb": dict(dynamo),
        "dynamodb_without_token": dict(without_api),
        "baseline_dynamodb": dict(floor),
        "alexa_api_budget": api_limit,
        "dynamodb_budget": step.max_calls,
        "met": met,
    }
    return (
        Row(
            ITEM,
            f"alexa api calls: {step.label}{first}",
            f"API {describe(api)}; DynamoDB {describe(dynamo)}",
            f"API 0; DynamoDB {describe(floor)}",
            target=f"API ≤ {api_limit}; DynamoDB ≤ {step.max_calls}",
            met=met,
            note="; ".join(notes),
        ),
        figures,
    )


def measure(
    bench: Bench,
    scenarios: tuple[Scenario, ...],
    without_api: dict[str, Counter[str]],
    floor: dict[str, Counter[str]],
) -> list[Row]:
    """Each scenario's reported turns with a token; `without_api`/`floor`: round_trips' counts."""
    rows, table = [], []
    with fake_alexa(bench) as fake:
        for scenario in scenarios:
            counts = play(bench, fake, scenario)
            for step in scenario.steps:
                api, dynamo = counts[step.key]
                line, figures = row(step, api, dynamo, without_api[step.key], floor[step.key])
                rows.append(line)
                table.append({"scenario": scenario.key, **figures})
    if not any(figures["alexa_api"] for figures in table):
        # The skill falls back to UTC quietly when Alexa cannot be reached: all zeros here
        # would mean the HTTPS path broke, not that the budget was met.
        raise BenchError("the fake Alexa API was never reached: check the client and its CA")
    bench.results["alexa_api_calls"] = table
    return rows
