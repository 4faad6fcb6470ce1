"""Issue 23, the weekly reminder under faults, through lambda_handler on DynamoDB (moto
behind tests.faults.DynamoFaultProxy) with the fake Alexa API over HTTPS misbehaving
(tests.alexa_https): every reminder API call and every reminder write point, each fault
kind, and after every turn the check that nothing untrue was said (tests.faults.Truth).

Each scenario starts from one of three households: "fresh" (no reminder), "noted" (a
Sunday 8 pm reminder at Alexa, noted in the profile) and "lost" (the reminder at Alexa,
its note lost). The couple act once under the fault; then, without faults, they try
again and ask "when is our reminder": there is never a second reminder, and the note
ends up agreeing with Alexa.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from skill.alexa_api import HttpAlexaApi
from skill.local_time import evening_of
from skill.reconnect import Ritual, Schedule, reminder_body
from skill.records import Profile
from skill.store.dynamodb import DynamoStore
from stagewise_tools.fake_alexa import FakeAlexa
from tests.alexa_https import FAULTS, TOKEN, Amazon, misbehaving_amazon
from tests.conversation import Couple, Reply, says
from tests.faults import DynamoFaultProxy, Truth, dynamo_fault_proxy, weekly_at

ROOT = Path(__file__).resolve().parents[1]
NY = "America/New_York"
START = datetime(2026, 11, 18, 19, 0, tzinfo=ZoneInfo(NY)).astimezone(UTC)  # a Wednesday
NOTED = Schedule("SU", 20)  # the reminder a "noted" or "lost" household has
ASKED = Schedule("FR", 19)  # "remind us every friday at seven pm"
FAULTED_DEADLINE = 0.3  # the client's deadline while a fault is planned: timed faults cost less
PRODUCTION_DEADLINE = 1.0  # skill.alexa_api.API_TIMEOUT_SECONDS: for setting up and recovering
TURN_LIMIT = 3.0  # seconds: a turn under one fault, far inside Alexa's 8


@dataclass
class World:
    """The skill as Lambda runs it, the proxy in front of DynamoDB, the fake Alexa API."""

    module: ModuleType
    proxy: DynamoFaultProxy
    amazon: Amazon
    store: DynamoStore  # straight to moto, for setting households up and reading them

    @property
    def account(self) -> FakeAlexa:
        return self.amazon.account

    def client_deadline(self, seconds: float) -> None:
        trusted = self.amazon.trusted
        self.module.SKILL.services.alexa_api = lambda base, token: HttpAlexaApi(
            base, token, timeout=seconds, ssl_context=trusted
        )


@pytest.fixture(scope="module")
def world(
    moto_endpoint: str, dynamodb_client: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    table = f"faults-{uuid.uuid4().hex[:8]}"
    store = DynamoStore(dynamodb_client, table)
    store.create()
    account = FakeAlexa(zone=NY, permitted=True)
    with (
        dynamo_fault_proxy(moto_endpoint) as proxy,
        misbehaving_amazon(account, tmp_path_factory.mktemp("alexa")) as amazon,
        pytest.MonkeyPatch.context() as env,
    ):
        env.setenv("STAGEWISE_STORE", f"dynamodb://{table}")
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)  # the skill's client: the proxy
        env.delenv("STAGEWISE_SKILL_ID", raising=False)
        spec = importlib.util.spec_from_file_location(
            f"lambda_function_{table}", ROOT / "lambda" / "lambda_function.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        built = World(module, proxy, amazon, store)
        built.client_deadline(PRODUCTION_DEADLINE)
        yield built


def household(world: World, situation: str) -> Couple:
    """A couple met before, their zone known tonight, in one of the three situations."""
    world.account.reminders.clear()
    world.amazon.faults.clear()
    world.proxy.clear()
    world.client_deadline(FAULTED_DEADLINE)
    world.account.calls.clear()
    user = f"amzn1.ask.account.FAULTS-{uuid.uuid4().hex[:12]}"
    ritual = Ritual(time_zone=NY, tz_checked_on=evening_of(START, ZoneInfo(NY)), offered=True)
    if situation in ("noted", "lost"):
        body = reminder_body(NOTED, NY, START.astimezone(ZoneInfo(NY)), "Reconnect", "en-US")
        token = world.account.client("", "").create_reminder(body)
        world.account.calls.clear()  # made by the test, not the skill
        if situation == "noted":
            ritual = ritual.with_changes(
                reminder_token=token, reminder_day="SU", reminder_time="20:00"
            )
    world.store.put_profile(
        Profile(household_id=user, partner_a="Maya", partner_b="Jordan", ritual=ritual)
    )
    couple = Couple(
        world.module.SKILL,
        user_id=user,
        now=START,
        handler=lambda event: world.module.lambda_handler(event, None),
    )
    couple.device.api_token, couple.device.api_endpoint = TOKEN, world.amazon.endpoint
    return couple


def act(couple: Couple, action: str) -> Reply:
    """One thing the couple do; the reply of its deciding turn."""
    if action == "set":
        couple.intent("SetReminderIntent", new_session=True, day="friday", time="19:00")
        return couple.intent("AMAZON.YesIntent")
    if action == "forget":
        couple.intent("DeleteAllIntent", new_session=True)
        return couple.intent("AMAZON.YesIntent")
    intent = {"cancel": "CancelReminderIntent", "status": "ReminderStatusIntent"}[action]
    return couple.intent(intent, new_session=True)


def checked(world: World, couple: Couple, action: str, label: str) -> tuple[Reply, str, float]:
    """Act, time the act, let held requests land, and check what was said was true."""
    truth = Truth(world.account)
    truth.snapshot()
    started = time.monotonic()
    reply = act(couple, action)
    seconds = time.monotonic() - started
    world.proxy.settle()
    claim = truth.check(reply, ASKED if action == "set" else None, label)
    return reply, claim, seconds


def recovers(world: World, couple: Couple, action: str, label: str) -> None:
    """Without faults: trying again works, "when is our reminder" is true, and the note
    agrees with Alexa afterwards; never two reminders on the way."""
    world.amazon.faults.clear()
    world.proxy.clear()
    world.client_deadline(PRODUCTION_DEADLINE)
    if action != "forget":  # after "forget everything" there is no couple to try again
        _, claim, _ = checked(world, couple, action, f"{label}, again")
        expected = {"set": "set", "cancel": "none", "status": claim}[action]
        assert claim == expected, f"{label}: trying again did not settle it ({claim})"
    else:  # a marker that landed though its reply was lost: the next visit finishes it
        couple.launch()
    profile = world.store.get_profile(couple.device.user_id)
    if profile is None:
        assert action == "forget"
        return
    _, claim, _ = checked(world, couple, "status", f"{label}, status")
    assert claim in ("set", "none"), f"{label}: status after recovery said {claim}"
    at_alexa = weekly_at(world.account)
    noted = world.store.get_profile(couple.device.user_id)
    assert noted is not None
    assert noted.ritual.reminder_token == next(iter(at_alexa), ""), label
    if at_alexa:
        [schedule] = at_alexa.values()
        assert Schedule.of(noted.ritual) == schedule, label


# -- the Alexa API matrix ------------------------------------------------------------

# (household, what they do, the call faulted, which of the act's Alexa calls it is)
CHANGES = [
    ("fresh", "set", "create", 1),
    ("noted", "set", "update", 0),
    ("lost", "set", "update", 1),
    ("noted", "cancel", "delete", 0),
    ("lost", "cancel", "delete", 1),
    ("noted", "forget", "delete", 0),
    ("lost", "forget", "delete", 1),
]
LISTS = [
    ("fresh", "set", "list", 0),
    ("lost", "set", "list", 0),
    ("fresh", "cancel", "list", 0),
    ("lost", "cancel", "list", 0),
    ("fresh", "status", "list", 0),
    ("noted", "status", "list", 0),
    ("lost", "status", "list", 0),
    ("lost", "forget", "list", 0),
]
# Every fault on every change, where made-or-not matters; on a list, every fault but the
# twins that differ only in making a change first (a list makes none) or in a detail the
# client tests cover (tests/test_alexa_api.py: another host, unsized, 403, 500).
LIST_FAULTS = sorted(
    set(FAULTS)
    - {"reset after", "500 after", "huge unsized", "redirect to another host", "403", "500"}
)


ALEXA_CASES = [
    pytest.param(situation, action, op, index, fault, id=f"{situation}-{action}-{op}-{fault}")
    for cases, faults in ((CHANGES, sorted(FAULTS)), (LISTS, LIST_FAULTS))
    for situation, action, op, index in cases
    for fault in faults
]


@pytest.mark.parametrize(("situation", "action", "op", "index", "fault"), ALEXA_CASES)
def test_every_reminder_call_under_every_fault_says_only_what_is_true(
    world: World, situation: str, action: str, op: str, index: int, fault: str
) -> None:
    couple = household(world, situation)
    if fault == "slow accept":  # before TLS nothing tells one call from another
        world.amazon.faults.plan("any", fault, skip=index)
    else:
        world.amazon.faults.plan(op, fault)
    label = f"{situation} household, {action}, {fault} on {op}"
    _, claim, seconds = checked(world, couple, action, label)
    assert world.amazon.faults.done, f"{label}: the fault was never reached"
    assert seconds < TURN_LIMIT, f"{label}: {seconds:.1f} s"
    recovers(world, couple, action, label)


# A change whose answer is lost, then the list that checks it fails too.
CHECKS = [("noted", "set", "update"), ("noted", "cancel", "delete"), ("noted", "forget", "delete")]


@pytest.mark.parametrize("lost", ["reset after", "reset before", "500"])
@pytest.mark.parametrize("check", ["truncate", "503", "401"])
@pytest.mark.parametrize(("situation", "action", "op"), CHECKS, ids=lambda v: str(v))
def test_a_lost_answer_checked_by_listing_under_faults(
    world: World, situation: str, action: str, op: str, lost: str, check: str
) -> None:
    couple = household(world, situation)
    world.amazon.faults.plan(op, lost)
    world.amazon.faults.plan("list", check)
    label = f"{situation} household, {action}: {lost} on {op}, {check} on the check"
    _, claim, seconds = checked(world, couple, action, label)
    assert [op for op, _ in world.amazon.faults.done] == [op, "list"], label
    assert claim in ("unsure", "unchanged") and seconds < TURN_LIMIT, label
    recovers(world, couple, action, label)


def test_a_trickled_create_ends_at_the_production_deadline_and_is_not_made_twice(
    world: World,
) -> None:
    """The issue's 28-34 s turn: a reply a byte every half second. The turn ends at the
    client's one-second deadline, says it is not sure, and trying again finds the
    reminder it made rather than making a second."""
    couple = household(world, "fresh")
    world.client_deadline(PRODUCTION_DEADLINE)
    world.amazon.faults.plan("create", "trickle")
    reply, claim, seconds = checked(world, couple, "set", "trickled create")
    assert claim == "unsure" and 1.0 <= seconds < 2.5, (claim, seconds, reply.text)
    [made] = weekly_at(world.account)
    _, claim, _ = checked(world, couple, "set", "trickled create, again")
    assert claim == "set" and list(weekly_at(world.account)) == [made]
    # Made once (the trickled create), then found by listing.
    assert world.account.calls == ["list_reminders", "create_reminder", "list_reminders"]


def test_the_issues_four_reminder_findings(world: World) -> None:
    """As issue 23 found them: each now ends true."""
    # 1. Made, then the note's write fails: told it is set; a retry makes no second one.
    couple = household(world, "fresh")
    world.proxy.plan("PutItem", "500", times=2)
    reply, claim, _ = checked(world, couple, "set", "note lost")
    assert claim == "set" and says(reply, "reminder.set_unnoted", day="Friday", time="7 pm")
    _, claim, _ = checked(world, couple, "set", "note lost, again")
    assert claim == "set" and len(world.account.reminders) == 1
    # 2. A cut-off reply to the create: never "nothing has changed" while it exists.
    couple = household(world, "fresh")
    world.amazon.faults.plan("create", "truncate")
    reply, claim, _ = checked(world, couple, "set", "cut off")
    assert claim == "unsure" and not says(reply, "reminder.failed")
    _, claim, _ = checked(world, couple, "status", "cut off, status")
    assert claim == "set"
    # 3. Forget everything: the reminder goes too.
    couple = household(world, "noted")
    reply, claim, _ = checked(world, couple, "forget", "forget everything")
    assert says(reply, "forget.reminder_off") and world.account.reminders == {}
    # 4. "Cancel our reminder" finds the one the profile lost.
    couple = household(world, "lost")
    reply, claim, _ = checked(world, couple, "cancel", "lost, cancel")
    assert says(reply, "reminder.cancelled") and world.account.reminders == {}


# -- the DynamoDB write points ---------------------------------------------------------

# (household, what they do, the DynamoDB operation faulted)
WRITES = [
    ("fresh", "set", "PutItem"),  # the note after making it
    ("noted", "set", "PutItem"),  # the note after moving it
    ("noted", "cancel", "PutItem"),  # the note forgotten after cancelling
    ("lost", "status", "PutItem"),  # the note set right after looking
    ("noted", "status", "GetItem"),  # the profile read before anything
    ("noted", "forget", "PutItem"),  # forgetting: the marker in the profile's place
    ("noted", "forget", "Query"),  # forgetting: the household's keys
    ("noted", "forget", "DeleteItem"),  # forgetting: the marker, last (no answers here)
]
# Each fault once (botocore's one retry hides it) and twice (the write fails); a lost
# reply is retried into a conditional-check failure, re-read and written again.
DYNAMO_CASES = [
    ("500", 2),
    ("reset", 2),
    ("lost reply", 1),
    ("lost reply", 2),
    ("lost as 500", 2),
    ("throughput exceeded", 1),
]


@pytest.mark.parametrize(("fault", "times"), DYNAMO_CASES, ids=lambda v: str(v))
@pytest.mark.parametrize(("situation", "action", "op"), WRITES, ids=lambda v: str(v))
def test_every_reminder_write_under_dynamodb_faults_says_only_what_is_true(
    world: World, situation: str, action: str, op: str, fault: str, times: int
) -> None:
    couple = household(world, situation)
    deciding = 2 if action in ("set", "forget") else 1  # turns timed together
    world.proxy.plan(op, fault, times=times)
    label = f"{situation} household, {action}, {fault} ×{times} on {op}"
    _, claim, seconds = checked(world, couple, action, label)
    assert world.proxy.faults, f"{label}: the fault was never reached"
    assert seconds < TURN_LIMIT * deciding, f"{label}: {seconds:.1f} s"
    recovers(world, couple, action, label)


def test_a_delayed_note_lands_late_and_is_still_told_truly(world: World) -> None:
    """The note's write held past the read timeout: botocore retries while the first
    lands late; whichever wins, the reminder is set and noted once."""
    couple = household(world, "fresh")
    world.proxy.plan("PutItem", "delayed")
    _, claim, seconds = checked(world, couple, "set", "delayed note")
    assert claim == "set" and seconds < TURN_LIMIT
    recovers(world, couple, "set", "delayed note")


# -- seeded chaos ------------------------------------------------------------------------


# More seeds for a longer soak: STAGEWISE_FAULT_SEEDS=1-50 python -m pytest -k seeded
SEEDS = os.environ.get("STAGEWISE_FAULT_SEEDS", "1-3")


@pytest.mark.parametrize("seed", range(int(SEEDS.split("-")[0]), int(SEEDS.split("-")[-1]) + 1))
def test_seeded_faults_everywhere_never_make_it_untrue(world: World, seed: int) -> None:
    """Faults by chance on every DynamoDB operation and Alexa call, a couple acting again
    and again: every reply stays true, and at the end there is one reminder at most."""
    chance = random.Random(seed)
    couple = household(world, "fresh")
    world.proxy.plan_chance("*", "lost reply", 0.15, seed)
    kinds = [
        "reset after",
        "reset before",
        "truncate",
        "500 after",
        "503",
        "429",
        "bad status line",
    ]
    for step in range(10):
        action = chance.choice(["set", "set", "cancel", "status"])
        for op in ("list", "create", "update", "delete"):
            if chance.random() < 0.3:
                world.amazon.faults.plan(op, chance.choice(kinds))
        label = f"seed {seed}, step {step}: {action}"
        _, _, seconds = checked(world, couple, action, label)
        world.amazon.faults.clear()
        assert seconds < TURN_LIMIT * 2, f"{label}: {seconds:.1f} s"
    recovers(world, couple, "set", f"seed {seed}")


# -- disabling the skill, and the device's time zone --------------------------------------

EVENTS = Path(__file__).parent / "events"


def disabled(world: World, couple: Couple) -> dict[str, Any]:
    """AlexaSkillEvent.SkillDisabled for this couple, carrying the fake's API endpoint."""
    event = json.loads((EVENTS / "skill_disabled.json").read_text())
    system = event["context"]["System"]
    system["user"]["userId"] = couple.device.user_id
    system["apiEndpoint"], system["apiAccessToken"] = world.amazon.endpoint, TOKEN
    return event


@pytest.mark.parametrize("fault", ["", "401", "trickle", "reset after", "slow accept"])
def test_disabling_the_skill_deletes_the_reminder_when_alexa_lets_it(
    world: World, fault: str
) -> None:
    """The records always go; the reminder goes with them when the event's token may
    delete it (a failure is only logged: skill events take no speech)."""
    couple = household(world, "noted")
    if fault:
        world.amazon.faults.plan("any" if fault == "slow accept" else "delete", fault)
    started = time.monotonic()
    raw = world.module.lambda_handler(disabled(world, couple), None)
    seconds = time.monotonic() - started
    assert raw == {"version": "1.0", "response": {}}
    assert world.store.get_profile(couple.device.user_id) is None  # the records went
    made = FAULTS[fault][1] if fault else True
    assert (world.account.reminders == {}) == made
    assert seconds < TURN_LIMIT


def test_disabling_the_skill_deletes_everything_even_when_the_profile_cannot_be_read(
    world: World,
) -> None:
    couple = household(world, "noted")
    world.proxy.plan("GetItem", "500", times=2)  # the reminder's token cannot be read
    raw = world.module.lambda_handler(disabled(world, couple), None)
    assert raw == {"version": "1.0", "response": {}}
    world.proxy.clear()
    assert world.store.get_profile(couple.device.user_id) is None
    assert len(world.account.reminders) == 1  # not found to delete: it may still ring


BAD_ZONES = ["x" * 300, "Europe/" + "y" * 250, "../etc", "Not/AZone", "", "America"]


@pytest.mark.parametrize("zone", [*BAD_ZONES, "trickle"], ids=lambda z: z[:10] or "empty")
def test_a_bad_or_slow_time_zone_never_breaks_the_evening(world: World, zone: str) -> None:
    """The zone is asked again on a new evening; a name zoneinfo would choke on (an
    OSError over 255 characters), or a reply trickled, leaves the stored zone as it was."""
    couple = household(world, "fresh")
    couple.now += timedelta(days=1)  # tomorrow evening: the zone is asked again
    world.client_deadline(PRODUCTION_DEADLINE)
    if zone == "trickle":
        world.amazon.faults.plan("time_zone", "trickle")
    else:
        world.account.zone = zone
    try:
        started = time.monotonic()
        reply = couple.intent("TonightQuestionIntent", new_session=True)
        seconds = time.monotonic() - started
    finally:
        world.account.zone = NY
    assert world.account.calls == ["time_zone"] or zone == "trickle"
    assert not says(reply, "error.general") and not says(reply, "error.storage"), reply.text
    assert reply.elicits == "answer" and seconds < 2.0
    profile = world.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.ritual.time_zone == NY
