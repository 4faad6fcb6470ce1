"""A couple talking to the skill through its public entry point, one request at a time.

Every response is checked the way Alexa would take it: a valid ResponseEnvelope,
well-formed SSML, within the size limits, and an open session always reprompts.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope

from skill.app import Stagewise, handle_event
from skill.content import Content, load_content
from skill.local_time import BANDS
from skill.speech import MAX_SPEECH_CHARS
from stagewise_tools import alexa_requests as alexa

MAX_RESPONSE_BYTES = 24 * 1024
START = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)  # a Monday evening


@dataclass
class Reply:
    raw: dict[str, Any]
    locale: str = "en-US"  # the request's: what it says is matched against that locale's content

    @property
    def response(self) -> dict[str, Any]:
        return self.raw.get("response", {})

    @property
    def ssml(self) -> str:
        return str(self.response.get("outputSpeech", {}).get("ssml", ""))

    @property
    def text(self) -> str:
        """What Alexa would say, as plain text."""
        return (
            " ".join(unescape(" ".join(ET.fromstring(self.ssml).itertext())).split())
            if self.ssml
            else ""
        )

    @property
    def reprompt(self) -> str:
        ssml = self.response.get("reprompt", {}).get("outputSpeech", {}).get("ssml", "")
        return " ".join(unescape(" ".join(ET.fromstring(ssml).itertext())).split()) if ssml else ""

    @property
    def ended(self) -> bool:
        return bool(self.response.get("shouldEndSession"))

    @property
    def elicits(self) -> str | None:
        for directive in self.response.get("directives", []):
            if directive.get("type") == "Dialog.ElicitSlot":
                return str(directive["slotToElicit"])
        return None

    @property
    def attributes(self) -> dict[str, Any]:
        return dict(self.raw.get("sessionAttributes") or {})

    @property
    def awaiting(self) -> str | None:
        """The moment the reply leaves the skill waiting in (None: nothing awaited)."""
        return moment_of(self.attributes)


def whose_turn(attributes: dict[str, Any]) -> str | None:
    """The partner (first name, lower case) whose answer the session says is awaited."""
    if moment_of(attributes) != "answer" or not attributes.get("profile"):
        return None
    profile = json.loads(attributes["profile"])
    current = profile.get("current") or {}
    pending = next(
        (p for p in current.get("order", ()) if p not in current.get("answered", ())), None
    )
    if pending is None:
        return None
    return str(profile[f"partner_{pending}"]).lower()


def moment_of(attributes: dict[str, Any]) -> str | None:
    """The moment named in session attributes (None: nothing awaited)."""
    awaiting = attributes.get("awaiting")
    return str(awaiting["moment"]) if isinstance(awaiting, dict) else None


WORDS_PER_SECOND = 2.5  # a calm speaking pace, slower than Alexa's
_DESCRIPTIONS = [s.description for s in load_content().stages]


def spoken_seconds(ssml: str) -> float:
    """About how long a reply takes to say: words at a calm pace, plus its pauses."""
    pauses = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', ssml)) / 1000
    text = " ".join(unescape(" ".join(ET.fromstring(ssml).itertext())).split())
    for description in _DESCRIPTIONS:  # a stage description may take up to 45 s on its own
        text = text.replace(description, "")
    return len(text.split()) / WORDS_PER_SECOND + pauses


def check_response(raw: dict[str, Any]) -> None:
    """Fail on anything Alexa would reject or play as an error, or that runs on too long."""
    DefaultSerializer().deserialize(json.dumps(raw), ResponseEnvelope)
    assert len(json.dumps(raw).encode()) <= MAX_RESPONSE_BYTES
    response = raw["response"]
    speech = response.get("outputSpeech")
    if speech:
        assert speech["type"] == "SSML"
        assert len(speech["ssml"]) <= MAX_SPEECH_CHARS
        ET.fromstring(speech["ssml"])  # well-formed
        # Pacing for the ear: nothing over 30 s besides a stage description (or one recap
        # evening whose own answers are long).
        seconds = spoken_seconds(speech["ssml"])
        one_evening = speech["ssml"].count("the question was") <= 1
        assert seconds <= 30 or one_evening, f"{seconds:.0f} s: {speech['ssml'][:300]}"
    if response.get("shouldEndSession") and speech:
        # Certification: a response that ends the session must not end on a question.
        said = " ".join(unescape(" ".join(ET.fromstring(speech["ssml"]).itertext())).split())
        assert not said.endswith("?"), f"closes the session on a question: {said[-120:]}"
    if response.get("shouldEndSession") is False:
        assert speech, "an open session must say something"
        reprompt = response["reprompt"]["outputSpeech"]["ssml"]
        ET.fromstring(reprompt)
        # Certification: an open session asks something (an elicitation is a question too).
        elicits = any(d.get("type") == "Dialog.ElicitSlot" for d in response.get("directives", []))
        assert elicits or "?" in speech["ssml"], speech["ssml"]
        assert elicits or "?" in reprompt, reprompt


class Couple:
    """Two partners sharing one Echo: sessions, session attributes and a clock carried forward."""

    def __init__(
        self,
        app: Stagewise,
        user_id: str = "amzn1.ask.account.test-couple",
        now: datetime = START,
        handler: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        locale: str = "en-US",
    ) -> None:
        self.app = app
        self.device = alexa.Device(user_id=user_id, locale=locale)
        self.now = now
        self.handler = handler or (lambda event: handle_event(self.app, event))
        self.last_event: dict[str, Any] = {}

    @property
    def awaiting(self) -> str | None:
        """The moment the skill waits in now (None: nothing, or no session)."""
        return moment_of(self.device.attributes)

    def send(
        self, request: dict[str, Any], *, new_session: bool = False, seconds: int = 15
    ) -> Reply:
        """One turn: a fresh session when asked or when the last one ended."""
        self.now += timedelta(seconds=seconds)
        if new_session or self.device.session_id is None:
            self.device.new_session()
        self.last_event = self.device.envelope(request, self.now)
        raw = self.handler(self.last_event)
        check_response(raw)
        reply = Reply(raw, self.device.locale)
        self.device.attributes = reply.attributes
        if reply.ended or request["type"] == "SessionEndedRequest":
            self.device.end_session()
        return reply

    def launch(self) -> Reply:
        return self.send(alexa.launch(), new_session=True)

    def intent(self, name: str, new_session: bool = False, **slots: str | None) -> Reply:
        return self.send(alexa.intent(name, slots), new_session=new_session)

    def answer(self, text: str | None) -> Reply:
        return self.intent("AnswerIntent", answer=text)

    def whose_turn(self) -> str | None:
        """The first name of the partner whose answer the skill waits for (lower case), as the
        session it carries says; None when no answer is awaited."""
        return whose_turn(self.device.attributes)

    def both_answer(self, **answers: str) -> list[Reply]:
        """Each partner answers when asked (who goes first takes turns by evening):
        `both_answer(maya="...", jordan="...")`."""
        replies = []
        for _ in answers:
            name = self.whose_turn()
            assert name in answers, (name, answers)
            replies.append(self.answer(answers[name]))
        return replies

    def later(self, **delta: float) -> None:
        """Time passes; the session (if any) is over."""
        self.now += timedelta(**delta)
        self.device.end_session()

    def onboard(self, first: str = "sam", second: str = "alex", stage: int | None = None) -> Reply:
        self.launch()
        self.intent("NamesIntent", first_name=first)
        self.intent("NamesIntent", first_name=second)
        if stage is None:
            return self.intent("AMAZON.YesIntent")
        return self.intent("ChooseStageIntent", stage_number=str(stage))


def wordings(content: Content, key: str) -> list[str]:
    """Every variant of a content key: a key worded by the hour (`key@late`, ...) given bare
    means any part of the day's."""
    forms = [key] if key in content.prompts else [f"{key}@{band}" for band in BANDS]
    return [v for form in forms if form in content.prompts for v in content.variants(form)]


def named_twice(text: str, names: Iterable[str], quoted: Iterable[str]) -> list[str]:
    """Partner names said twice in one stretch of a reply ("Thanks, Dani. Thanks, Dani: ..."),
    a stretch running between the questions and answers the reply quotes."""
    stretches = [text]
    for words in sorted({q for q in quoted if q}, key=len, reverse=True):
        stretches = [piece for stretch in stretches for piece in stretch.split(words)]
    found = []
    for stretch in stretches:
        for name in {n for n in names if n}:
            # "Maya and Maya Goes First" names Maya once: a longer name is not hers.
            for longer in (n for n in names if n != name and name in n):
                stretch = stretch.replace(longer, " ")
            if len(re.findall(rf"\b{re.escape(name)}\b", stretch)) > 1:
                found.append(name)
    return found


def variants(key: str, locale: str = "en-US", **values: object) -> list[str]:
    """Every wording of a content key in a locale (its plural form for a `count`), filled in."""
    content = load_content(locale)
    key = content.plural(key, values.get("count"))
    return [v.format(**values) for v in wordings(content, key)]


def says(reply: Reply, key: str, **values: object) -> bool:
    """Did the reply include one of the variants of a content key (in the reply's locale)?"""
    return any(v in reply.text for v in variants(key, reply.locale, **values))
