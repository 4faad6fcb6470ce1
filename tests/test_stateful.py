"""Model-based tests: random evenings through `lambda_handler`, checked after every turn.

A Hypothesis state machine plays a couple (answers, hesitations, corrections, passes,
repeats, stage and recap questions, names, two voices, session ends, one-shots, the clock
moving) under two NLUs: the console's emulator of Alexa, and an adversarial one that sends
whatever was said as the slot being elicited (so "yes", "what did we say last week" or
"coffee and cake" arrive as an answer or a first name), as Alexa may.

After every turn, what the couple heard is held against what the store holds:
- every answer said back as kept is stored, exactly once for its partner and question;
- nothing is stored, changed or removed that the reply did not say;
- "both saved", "deleted" and "changed" are said only of what the store shows;
- the names change only after a rename and a yes;
- a partner marked as having answered tonight has an answer stored (or passed), so a
  partner who has not answered can still answer;
- nothing ever goes wrong on the skill's side.

CI runs a fixed budget per locale and NLU; STAGEWISE_STATEFUL=long runs a longer profile.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    precondition,
    rule,
    run_state_machine_as_test,
)

from skill.content import PUBLISHED_LOCALES, Content, load_content
from skill.records import Answer, Profile
from skill.store import Store
from stagewise_tools import alexa_requests as alexa
from stagewise_tools.nlu import Resolver, packaged_model
from tests.conversation import Reply, check_response, named_twice, wordings

LONG = os.environ.get("STAGEWISE_STATEFUL") == "long"
EVER = datetime(2020, 1, 1, tzinfo=UTC)
START = datetime(2026, 11, 16, 23, 0, tzinfo=UTC)  # a Monday evening in New York

ANSWERS = (
    "the lake house",
    "your laugh",
    "sunday pancakes",
    "hope",
    "coffee and cake",
    "the way you hum",
    "helping with the dishes",
    "thinking of you at work",
    "our first dance",
    "grace",
)
HESITATIONS = (
    "hmm let me think",
    "what was the question",
    "can you repeat the question please",
    "hold on a second",
    "you go first",
    "jordan goes first",
    "maya goes first",
    "pass",
    "i'd rather not answer that",
    "that's not what i said",
    "change my answer",
    "wait what",
    "no that's wrong i said the lake house",  # a correction with its new words
    "nope the lake house",  # perhaps one: "shall I make your answer...?"
    "you've got that all mixed up i said the lake house",  # another opening
    "wait no",
)
ASIDES = (
    "what stage are we in",
    "tell me about stage three",
    "what did we say last week",
    "what did we say last time",
    "how are we doing",
    "keep that one",
    "delete my last answer",
    "delete tonight's answers",
    "another question",
    "repeat",
    "help",
    "stop",
)
NAMES = ("maya", "jordan", "dani", "yes", "no", "what is this", "coffee and cake")
RENAMES = ("we're maya and jordan", "our names are maya and jo", "call us maya and jordan")
ONE_SHOTS = (
    "ask stagewise for tonight's question",
    "tell stagewise that's not what i said",
    "ask stagewise what did we say last time",
    "tell stagewise keep that one",
    "tell stagewise my answer is the garden",
)
VOICES = (None, "amzn1.ask.person.maya", "amzn1.ask.person.jordan", "amzn1.ask.person.guest")
# What a reply may quote: the questions, and the stages' own texts (named_twice splits there).
QUOTED = tuple(
    [q.text for bank in load_content().questions.values() for q in bank]
    + [t for s in load_content().stages for t in (s.summary, s.description, s.reminder, *s.tips)]
)
ESCAPES = {"stop", "cancel", "help"}  # built-ins Alexa takes even while a slot is elicited
YES_NO = {"yes", "no"}
DELETION_TOLD = (
    "forget.done_last",
    "forget.done_tonight#one",
    "forget.done_tonight#other",
    "forget.done_all#one",
    "forget.done_all#other",
)


def said_back(content: Content) -> list[re.Pattern[str]]:
    """Patterns of the lines that say an answer was kept: (name, answer) groups."""
    keys = ("answer.heard", "answer.heard_long", "answer.corrected")
    patterns = []
    for key in keys:
        for variant in content.variants(key):
            pattern = re.escape(variant)
            pattern = pattern.replace(r"\{name\}", r"(?P<name>[\w' -]+?)")
            pattern = pattern.replace(r"\{answer\}", r"(?P<answer>.+?)")
            patterns.append(re.compile(pattern + r"(?=\s|$)"))
    return patterns


def says(content: Content, text: str, key: str) -> bool:
    for variant in wordings(content, key):
        parts = [re.escape(p) for p in re.split(r"\{\w+\}", variant)]
        if re.search(".+?".join(parts), text):
            return True
    return False


class Evenings(RuleBasedStateMachine):
    """One household, many evenings, one NLU; invariants checked after every turn."""

    def __init__(self, handler: Any, store: Store, locale: str, nlu: str) -> None:
        super().__init__()
        self.handler = handler
        self.store = store
        self.nlu = nlu
        self.content = load_content(locale)
        self.patterns = said_back(self.content)
        self.device = alexa.Device(user_id=f"amzn1.ask.account.{uuid.uuid4().hex}", locale=locale)
        self.device.api_token = None
        self.now = START
        self.eliciting: tuple[str, str] | None = None
        self.reply: Reply | None = None
        self.request: dict[str, Any] = {}
        self.before: list[Answer] = []
        self.names_before: tuple[str, str] | None = None
        self.passed: set[tuple[str, str]] = set()  # (question id, partner) passed

    # -- talking ---------------------------------------------------------------------

    def stored(self) -> list[Answer]:
        return self.store.answers(
            self.device.user_id, start=EVER, until=self.now + timedelta(days=1), limit=1000
        )

    def profile(self) -> Profile | None:
        return self.store.get_profile(self.device.user_id)

    def send(self, request: dict[str, Any], *, new_session: bool = False) -> None:
        self.now += timedelta(seconds=20)
        if new_session or self.device.session_id is None:
            if self.device.session_id is not None:
                self.handler(self.device.envelope(alexa.session_ended(), self.now))
            self.device.new_session()
        self.before = self.stored()
        profile = self.profile()
        self.names_before = (profile.partner_a, profile.partner_b) if profile else None
        self.request = request
        raw = self.handler(self.device.envelope(request, self.now))
        check_response(raw)
        self.reply = Reply(raw, self.device.locale)
        self.device.attributes = self.reply.attributes
        self.eliciting = None
        for directive in self.reply.response.get("directives", []):
            if directive.get("type") == "Dialog.ElicitSlot":
                self.eliciting = (directive["updatedIntent"]["name"], directive["slotToElicit"])
        if self.reply.ended or request["type"] == "SessionEndedRequest":
            self.device.end_session()
            self.eliciting = None
        self.check_turn()

    def say(self, text: str) -> None:
        """What a person says, resolved by this machine's NLU into a request."""
        in_session = self.device.session_id is not None
        eliciting = self.eliciting if in_session else None
        adversary = self.nlu == "adversarial"
        if adversary and eliciting is not None and text not in ESCAPES:
            intent, slot = eliciting  # whatever was said fills the slot being asked for
            self.send(alexa.intent(intent, {slot: text}, dialog_state="IN_PROGRESS"))
            return
        if adversary and in_session and text in YES_NO and self.eliciting is None:
            self.send(alexa.intent("NamesIntent", {"first_name": text}))  # "yes" as a name
            return
        today = self.now.astimezone(UTC).date()
        found = Resolver(packaged_model(), today).resolve(
            text, in_session=in_session, eliciting=eliciting
        )
        if found.kind == "none":
            return
        if found.kind == "launch":
            self.send(alexa.launch(), new_session=True)
            return
        assert found.intent is not None
        self.send(alexa.intent(found.intent, dict(found.slots)), new_session=found.new_session)

    # -- rules -----------------------------------------------------------------------

    @rule()
    def launch(self) -> None:
        self.send(alexa.launch(), new_session=True)

    @rule(text=st.sampled_from(ANSWERS))
    def answer(self, text: str) -> None:
        self.say(text)

    @rule(text=st.sampled_from(HESITATIONS))
    def hesitate(self, text: str) -> None:
        self.say(text)

    @rule(text=st.sampled_from(ASIDES))
    def aside(self, text: str) -> None:
        self.say(text)

    @rule(text=st.sampled_from(("yes", "no")))
    def yes_or_no(self, text: str) -> None:
        self.say(text)

    @rule(text=st.sampled_from(NAMES + RENAMES))
    def name(self, text: str) -> None:
        self.say(text)

    @rule(text=st.sampled_from(ONE_SHOTS))
    def one_shot(self, text: str) -> None:
        self.say(text)

    @rule(voice=st.sampled_from(VOICES))
    def speaker(self, voice: str | None) -> None:
        self.device.person_id = voice

    @precondition(lambda self: self.device.session_id is not None)
    @rule()
    def session_ends(self) -> None:
        self.send(alexa.session_ended())

    @rule(minutes=st.sampled_from((3, 90, 60 * 20, 60 * 24, 60 * 24 * 3)))
    def time_passes(self, minutes: int) -> None:
        if self.device.session_id is not None and minutes >= 90:
            self.send(alexa.session_ended())
        self.now += timedelta(minutes=minutes)

    # -- what must hold ----------------------------------------------------------------

    def heard(self) -> list[tuple[str, str]]:
        """(name, answer) of every line in the reply that says an answer was kept."""
        text = self.reply.text if self.reply else ""
        found = []
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                found.append((match["name"], match["answer"].rstrip(".…")))
        return found

    def check_turn(self) -> None:
        """The reply against the store, before and after this turn."""
        assert self.reply is not None
        text = self.reply.text
        assert not says(self.content, text, "error.general"), text
        assert not says(self.content, text, "error.storage"), text
        # No partner is named twice in one stretch of a reply ("Thanks, Dani. Thanks, Dani").
        couple = self.profile()
        if couple is not None and couple.complete:  # met: (onboarding may hear any name)
            names = (couple.partner_a, couple.partner_b)
            assert not named_twice(text, names, QUOTED + ANSWERS), text
        after = self.stored()
        added = Counter(self._key(a) for a in after) - Counter(self._key(a) for a in self.before)
        removed = Counter(self._key(a) for a in self.before) - Counter(self._key(a) for a in after)
        heard = self.heard()
        # Nothing stored that was not said back, and nothing said kept that is not stored.
        for partner_name, answer_text, _ in added:
            assert any(
                name == partner_name and answer_text.startswith(said.rstrip("…"))
                for name, said in heard
            ), (added, heard, text)
        for name, said in heard:
            assert any(
                a.partner_name == name and a.text.startswith(said.rstrip("…")) for a in after
            ), (name, said, text)
        # Nothing removed unless a correction or a deletion said so.
        if removed:
            corrected = says(self.content, text, "answer.corrected")
            deleted = any(
                says(self.content, text, k)
                for k in (
                    "forget.done_last",
                    "forget.done_tonight#one",
                    "forget.done_tonight#other",
                )
                + ("forget.done_all#one", "forget.done_all#other")
            )
            assert corrected or deleted, (removed, text)
        # Exactly once: one answer per partner per question per evening.
        per_question = Counter((a.question_id, a.partner, a.answered_at.date()) for a in after)
        assert all(n == 1 for n in per_question.values()), per_question
        profile = self.profile()
        # "Both saved" only when both answers (or a pass) are stored.
        if says(self.content, text, "answer.both_saved") and profile and profile.current:
            current = profile.current
            mine = {a.partner for a in after if a.question_id == current.question_id}
            assert mine | {p for q, p in self.passed if q == current.question_id} >= {"a", "b"}
        # Names change only after a rename and a yes (onboarding only completes them).
        if self.names_before is not None and all(self.names_before) and profile is not None:
            now = (profile.partner_a, profile.partner_b)
            if now != self.names_before:
                intent = self.request.get("intent", {}).get("name")
                assert says(self.content, text, "rename.done"), (self.names_before, now, text)
                assert intent == "AMAZON.YesIntent", (self.names_before, now, text)
        if profile and profile.current and says(self.content, text, "skip.partner_passes"):
            current = profile.current
            stored_for = {a.partner for a in after if a.question_id == current.question_id}
            for partner in ("a", "b"):
                if partner not in stored_for:
                    self.passed.add((current.question_id, partner))

        # A partner marked as having answered has an answer stored (or passed): the other
        # partner can still answer.
        if profile is not None and profile.current is not None:
            current = profile.current
            stored_for = {a.partner for a in after if a.question_id == current.question_id}
            for partner in current.answered:
                assert partner in stored_for or (current.question_id, partner) in self.passed, (
                    current,
                    stored_for,
                    text,
                )

    @staticmethod
    def _key(answer: Answer) -> tuple[str, str, str]:
        return (answer.partner_name, answer.text, answer.request_id)


def run(handler: Any, store: Store, locale: str, nlu: str, examples: int, steps: int) -> None:
    run_state_machine_as_test(
        lambda: Evenings(handler, store, locale, nlu),
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=not LONG,  # CI: the same sequences every run; long: new ones
            database=None,
        ),
    )


@pytest.mark.parametrize("nlu", ["console", "adversarial"])
@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_evenings_through_lambda_handler_on_dynamodb(
    lambda_module: ModuleType, locale: str, nlu: str
) -> None:
    examples, steps = (200, 60) if LONG else (8, 30)
    store = lambda_module.SKILL.services.store
    run(lambda e: lambda_module.lambda_handler(e, None), store, locale, nlu, examples, steps)
