"""A typed line resolved as Alexa would: the invocation, built-in phrases, then the model's
samples, most specific first, with the elicited slot's samples while one is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from skill.not_answers import compiled
from stagewise_tools.nlu.model import Model, Template
from stagewise_tools.nlu.slot_values import slot_value

INVOCATION = "stagewise"
CONNECTING_WORDS = ("to", "for", "about", "if", "whether", "that")

# Common phrasings of the built-in intents we use (Alexa's own models know many more).
BUILT_IN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.StopIntent": ("stop", "quit", "exit", "stop it", "shut up", "off", "be quiet"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it", "cancel that"),
    "AMAZON.HelpIntent": (
        "help",
        "help me",
        "what can i say",
        "what can i do",
        "how does this work",
        "what is this",
        "what is stagewise",
        "what does this do",
    ),
    "AMAZON.YesIntent": (
        "yes",
        "yeah",
        "yep",
        "sure",
        "ok",
        "okay",
        "yes please",
        "sounds good",
        "of course",
        "please do",
    ),
    "AMAZON.NoIntent": ("no", "nope", "no thanks", "no thank you", "not now", "not really"),
    "AMAZON.RepeatIntent": (
        "repeat",
        "say that again",
        "repeat that",
        "again",
        "what did you say",
        "come again",
    ),
    "AMAZON.NavigateHomeIntent": ("go home", "home"),
}
# A built-in wins even while a slot is elicited: "stop" always stops (as on a real device).
ALWAYS_FIRST = (
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.RepeatIntent",
)


def normalize(line: str) -> str:
    """Lower case, no punctuation but apostrophes and hyphens inside words, single spaces:
    what Alexa hands over (letters of any alphabet kept: "Zoë" stays "zoë")."""
    line = line.lower().replace("’", "'")
    line = re.sub(r"[^\w' -]+|_", " ", line)
    line = re.sub(r"(?<!\w)-|-(?!\w)", " ", line)
    return " ".join(line.split())


@dataclass(frozen=True)
class Resolution:
    """What a line resolved to: a launch, an intent with slots, or nothing."""

    kind: str  # "launch", "intent", "none"
    intent: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    new_session: bool = False
    matched: bool = True  # False: no sample fitted, so Alexa would send AMAZON.FallbackIntent


class Resolver:
    """Turns a typed line into what Alexa would send, given what the skill is eliciting."""

    def __init__(self, model: Model, today: date) -> None:
        self.model = model
        self.today = today
        self._long_names = False  # two-word names only when a name was asked for

    def resolve(
        self, line: str, *, in_session: bool, eliciting: tuple[str, str] | None = None
    ) -> Resolution:
        text = normalize(line)
        if not text:
            return Resolution("none")
        invoked = self._invocation(text)
        if invoked is not None:
            if not invoked:
                return Resolution("launch", new_session=True)
            found = self._match(invoked, None)
            for word in CONNECTING_WORDS:
                if not found.matched and invoked.startswith(word + " "):
                    found = self._match(invoked[len(word) + 1 :], None)
            return Resolution(found.kind, found.intent, found.slots, True, found.matched)
        found = self._match(text, eliciting if in_session else None)
        return Resolution(found.kind, found.intent, found.slots, not in_session, found.matched)

    def _invocation(self, text: str) -> str | None:
        """The rest of the line after 'open/ask/tell stagewise', or None if not invoked."""
        match = re.match(
            rf"^(?:alexa )?(?:(open|start|launch|ask|tell|use) )?{INVOCATION}\b ?(.*)$", text
        )
        if not match:
            return None
        verb, rest = match.group(1), match.group(2)
        if verb in ("open", "start", "launch", "use", None) and not rest:
            return ""
        return rest if verb in ("ask", "tell") else ""

    def _match(self, text: str, eliciting: tuple[str, str] | None) -> Resolution:
        """Most specific first: stop/help, carriers, built-ins, the elicited slot, bare slots."""
        for intent in ALWAYS_FIRST:
            if text in BUILT_IN_PHRASES[intent]:
                return Resolution("intent", intent)
        found = self._best(text, self.model.templates, bare=False)
        if found is not None:
            return found
        for intent, phrases in BUILT_IN_PHRASES.items():
            if text in phrases:
                return Resolution("intent", intent)
        if eliciting is not None:
            self._long_names = eliciting[0] == "NamesIntent"
            found = self._best(text, self.model.slot_samples.get(eliciting, []), bare=True)
            self._long_names = False
            if found is not None:
                return found
        found = self._best(text, self.model.templates, bare=True)
        if found is not None:
            return found
        # Alexa's speech recognition mostly leaves hesitation sounds out: a line that fits no
        # sample is tried again without one it starts with ("erm it's priya" is a name).
        words = text.split()
        if len(words) > 1 and words[0] in compiled("en-US").sounds:
            return self._match(" ".join(words[1:]), eliciting)
        return Resolution("intent", "AMAZON.FallbackIntent", matched=False)

    def _best(self, text: str, templates: list[Template], *, bare: bool) -> Resolution | None:
        """The most specific template that matches with valid slot values.

        `bare` allows samples with no fixed words ("{first_name}"), which match almost anything.
        """
        winner: tuple[int, Resolution] | None = None
        for template in templates:
            if not bare and template.literal == 0:
                continue
            match = template.pattern.match(text)
            if not match:
                continue
            slots = {}
            for slot in template.slots:
                value = self._slot_value(template.intent, slot, match.group(slot))
                if value is None:
                    break
                slots[slot] = value
            else:
                if winner is None or template.literal > winner[0]:
                    winner = (template.literal, Resolution("intent", template.intent, slots))
        return winner[1] if winner else None

    def _slot_value(self, intent: str, slot: str, raw: str) -> str | None:
        slot_type = self.model.slot_types.get((intent, slot), "AMAZON.SearchQuery")
        return slot_value(slot_type, raw, self.today, long_names=self._long_names)
