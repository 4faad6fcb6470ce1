"""Answers under DynamoDB faults, through lambda_handler: never untrue about what was kept.

Issue 23: an answer's write committed but its reply was lost, and the couple heard "I
couldn't save that", then "not saved", while the next day's recap read it back. Here every
write point an evening makes (tonight's question, each answer, a correction, a retry, a
deletion) meets every fault the proxy knows, and after each turn what was said is held
against what the table holds: an answer said back is stored; "not saved" only for what is
not; "not sure" is allowed; nothing escapes as "something went wrong".
"""

from __future__ import annotations

import importlib.util
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from skill.content import load_content
from skill.records import Answer
from skill.store.dynamodb import DynamoStore
from tests.conversation import Couple, Reply, says
from tests.faults import DYNAMO_FAULTS, DynamoFaultProxy, dynamo_fault_proxy

ROOT = Path(__file__).resolve().parents[1]
EVER = datetime(2020, 1, 1, tzinfo=UTC)
TURN_LIMIT = 5.0  # seconds, for a turn under one fault (the store's retries included)
TRANSACT = "TransactWriteItems"
PUT = "PutItem"
NOT_SAVED = ("answer.not_saved", "answer.still_not_saved", "answer.not_saved_dropped")
NOT_SURE = ("answer.not_sure_saved", "answer.still_not_sure", "answer.not_sure_dropped")


@dataclass
class World:
    module: ModuleType
    proxy: DynamoFaultProxy
    store: DynamoStore  # straight to moto

    def couple(self) -> Couple:
        self.proxy.clear()
        return Couple(
            self.module.SKILL,
            user_id=f"amzn1.ask.account.ANSWERS-{uuid.uuid4().hex[:12]}",
            handler=lambda event: self.module.lambda_handler(event, None),
        )

    def stored(self, couple: Couple) -> list[Answer]:
        self.proxy.settle()
        return self.store.answers(
            couple.device.user_id, start=EVER, until=couple.now + timedelta(days=1), limit=99
        )


@pytest.fixture(scope="module")
def world(moto_endpoint: str, dynamodb_client: Any) -> Iterator[World]:
    table = f"answers-{uuid.uuid4().hex[:8]}"
    store = DynamoStore(dynamodb_client, table)
    store.create()
    with dynamo_fault_proxy(moto_endpoint) as proxy, pytest.MonkeyPatch.context() as env:
        env.setenv("STAGEWISE_STORE", f"dynamodb://{table}")
        env.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)
        env.delenv("STAGEWISE_SKILL_ID", raising=False)
        spec = importlib.util.spec_from_file_location(
            f"lambda_function_{table}", ROOT / "lambda" / "lambda_function.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield World(module, proxy, store)


def timed(world: World, step: Any) -> Reply:
    started = time.monotonic()
    reply: Reply = step()
    assert time.monotonic() - started < TURN_LIMIT, "a turn under one fault took too long"
    world.proxy.settle()
    return reply


def truthful(world: World, couple: Couple, reply: Reply, name: str, text: str) -> str:
    """What the reply claimed of this answer, checked against the table: kept, not, unsure."""
    assert not says(reply, "error.general"), reply.text
    kept = any(a.partner_name == name and a.text == text for a in world.stored(couple))
    if says(reply, "answer.heard", name=name, answer=text) or says(
        reply, "answer.corrected", name=name, answer=text
    ):
        assert kept, f"said kept, not stored: {reply.text}"
        return "kept"
    if any(says(reply, key, name=name) for key in NOT_SAVED):
        assert not kept, f"said not saved, but stored: {reply.text}"
        return "not saved"
    if any(says(reply, key, name=name) for key in NOT_SURE) or says(reply, "error.storage"):
        return "unsure"
    return "silent"


@pytest.mark.parametrize("fault", sorted(DYNAMO_FAULTS))
@pytest.mark.parametrize("which", [1, 2])
def test_an_answer_under_a_fault_is_told_as_it_is_stored(
    world: World, fault: str, which: int
) -> None:
    couple = world.couple()
    couple.onboard("maya", "jordan")
    if which == 2:
        couple.answer("the walk home")
    name, text = ("Maya", "the lake house") if which == 1 else ("Jordan", "your laugh")
    world.proxy.plan(TRANSACT, fault, times=3)  # the write and the store's own retry
    reply = timed(world, lambda: couple.answer(text))
    assert world.proxy.faults, f"the fault was planned but never met: {world.proxy.calls}"
    claim = truthful(world, couple, reply, name, text)
    assert claim != "silent", reply.text
    world.proxy.clear()
    if couple.awaiting == "retry_save":  # "shall I try again?": yes, with the store back
        again = timed(world, lambda: couple.intent("AMAZON.YesIntent"))
        assert truthful(world, couple, again, name, text) == "kept"
    answers = [a for a in world.stored(couple) if a.text == text]
    assert len(answers) <= 1  # never stored twice, whatever was retried
    # The next day's recap reads back exactly what is stored.
    couple.later(days=1)
    recap = couple.intent("RecapLastTimeIntent", new_session=True)
    assert (text in recap.text) == bool(answers)


@pytest.mark.parametrize("fault", ["lost reply", "lost as 500", "delayed", "500"])
def test_no_to_trying_again_is_told_as_it_is_stored(world: World, fault: str) -> None:
    couple = world.couple()
    couple.onboard("maya", "jordan")
    world.proxy.plan(TRANSACT, fault, times=3)
    first = timed(world, lambda: couple.answer("the lake house"))
    assert world.proxy.faults, "the fault was planned but never met"
    world.proxy.clear()
    if couple.awaiting != "retry_save":
        assert truthful(world, couple, first, "Maya", "the lake house") in ("kept", "unsure")
        return
    reply = timed(world, lambda: couple.intent("AMAZON.NoIntent"))
    claim = truthful(world, couple, reply, "Maya", "the lake house")
    assert claim in ("kept", "not saved", "unsure"), reply.text


@pytest.mark.parametrize("fault", sorted(DYNAMO_FAULTS))
def test_a_correction_under_a_fault_is_told_as_it_is_stored(world: World, fault: str) -> None:
    couple = world.couple()
    couple.onboard("maya", "jordan")
    couple.answer("patiance")
    couple.intent("CorrectAnswerIntent")
    world.proxy.plan(TRANSACT, fault, times=3)
    reply = timed(world, lambda: couple.answer("patience"))
    assert world.proxy.faults, "the fault was planned but never met"
    assert not says(reply, "error.general"), reply.text
    texts = {a.text for a in world.stored(couple)}
    if says(reply, "answer.corrected", name="Maya", answer="patience"):
        assert texts == {"patience"}
    elif says(reply, "answer.correction_not_saved", name="Maya"):
        assert texts == {"patiance"}
    else:
        assert says(reply, "answer.correction_not_sure", name="Maya"), reply.text
        assert texts in ({"patience"}, {"patiance"})  # one or the other, never both or none


@pytest.mark.parametrize("fault", sorted(DYNAMO_FAULTS))
def test_deleting_tonights_answers_under_a_fault_is_told_truly(world: World, fault: str) -> None:
    couple = world.couple()
    couple.onboard("maya", "jordan")
    couple.answer("one")
    couple.answer("two")
    couple.intent("DeleteTonightIntent", new_session=True)
    world.proxy.plan(TRANSACT, fault, times=3)
    reply = timed(world, lambda: couple.intent("AMAZON.YesIntent"))
    assert world.proxy.faults, "the fault was planned but never met"
    assert not says(reply, "error.general"), reply.text
    left = world.stored(couple)
    if says(reply, "forget.done_tonight", count=2):
        assert left == []
    else:
        assert says(reply, "forget.failed"), reply.text  # "some of it may still be there"


@pytest.mark.parametrize("fault", sorted(DYNAMO_FAULTS))
def test_tonights_question_under_a_fault_is_the_one_stored(world: World, fault: str) -> None:
    couple = world.couple()
    couple.onboard("maya", "jordan")
    couple.later(days=1)
    world.proxy.plan(PUT, fault, times=3)
    reply = timed(world, lambda: couple.intent("TonightQuestionIntent", new_session=True))
    assert world.proxy.faults, "the fault was planned but never met"
    assert not says(reply, "error.general"), reply.text
    if couple.awaiting != "answer":
        assert says(reply, "error.storage"), reply.text  # nothing asked, nothing claimed
        return
    profile = world.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.current is not None
    stored = load_content().question(profile.current.question_id)
    assert stored is not None and stored.text in reply.text  # the question heard is stored
