"""Resolve typed lines against the interaction model, roughly as Alexa would, for the console."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from skill.reconnect import parse_day

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

NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
NUMBER_WORDS.update({"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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


@dataclass(frozen=True)
class _Template:
    intent: str
    pattern: re.Pattern[str]
    slots: tuple[str, ...]
    literal: int  # characters of fixed text: more means a more specific match


def _compile(intent: str, sample: str) -> _Template:
    parts = re.split(r"(\{\w+\})", sample)
    regex, slots, literal = "", [], 0
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            regex += f"(?P<{part[1:-1]}>.+?)"
            slots.append(part[1:-1])
        else:
            regex += re.escape(part)
            literal += len(part.strip())
    return _Template(intent, re.compile(f"^{regex}$"), tuple(slots), literal)


@dataclass
class Model:
    """An interaction model, compiled for matching."""

    templates: list[_Template]
    slot_samples: dict[tuple[str, str], list[_Template]]  # (intent, slot) -> elicitation samples
    slot_types: dict[tuple[str, str], str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        language = data["interactionModel"]["languageModel"]
        templates: list[_Template] = []
        slot_samples: dict[tuple[str, str], list[_Template]] = {}
        slot_types: dict[tuple[str, str], str] = {}
        for intent in language["intents"]:
            name = intent["name"]
            templates.extend(_compile(name, s) for s in intent.get("samples", []))
            for slot in intent.get("slots", []):
                slot_types[(name, slot["name"])] = slot["type"]
                slot_samples[(name, slot["name"])] = [
                    _compile(name, s) for s in slot.get("samples", [])
                ]
        return cls(templates, slot_samples, slot_types)


@cache
def packaged_model(locale: str = "en-US") -> Model:
    text = (
        files("stagewise_tools.interaction_model")
        .joinpath(f"{locale}.json")
        .read_text(encoding="utf-8")
    )
    return Model.from_json(json.loads(text))


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
        return found or Resolution("intent", "AMAZON.FallbackIntent", matched=False)

    def _best(self, text: str, templates: list[_Template], *, bare: bool) -> Resolution | None:
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
        if slot_type == "AMAZON.NUMBER":
            if raw.isdigit():
                return raw
            return str(NUMBER_WORDS[raw]) if raw in NUMBER_WORDS else None
        if slot_type == "AMAZON.FirstName":
            # A name of at most two words ("mary ann", "anne-marie", "zoë"): a bare
            # "{first_name}" sample would otherwise swallow whole sentences.
            words = raw.split()
            most = 2 if self._long_names else 1
            ok = 0 < len(words) <= most and all(_NAME_WORD.match(w) for w in words)
            return raw if ok and not set(words) & _NOT_NAMES else None
        if slot_type == "AMAZON.DATE":
            return self._date(raw)
        if slot_type == "AMAZON.TIME":
            return spoken_time(raw)
        if slot_type == "WEEKDAY":
            return raw if parse_day(raw.removeprefix("every ")) else None
        return raw

    def _date(self, raw: str) -> str | None:
        """The AMAZON.DATE value Alexa would send for common phrases (a bare weekday or a
        date without a year resolves to the coming one, as Alexa does)."""
        today = self.today
        raw = raw.removeprefix("on ").removeprefix("from ").removeprefix("the ")
        if raw in ("today", "tonight"):
            return today.isoformat()
        if raw in ("yesterday", "last night"):
            return (today - timedelta(days=1)).isoformat()
        if raw in ("this week", "last seven days"):
            return _week(today)
        if raw == "last week":
            return _week(today - timedelta(days=7))
        if raw == "this weekend":
            return _week(today) + "-WE"
        if raw == "last weekend":
            return _week(today - timedelta(days=7)) + "-WE"
        if raw == "this month":
            return today.strftime("%Y-%m")
        if raw == "last month":
            first = today.replace(day=1) - timedelta(days=1)
            return first.strftime("%Y-%m")
        if match := re.match(r"^(\w+) (days|weeks) ago$", raw):
            count = NUMBER_WORDS.get(match[1]) or (int(match[1]) if match[1].isdigit() else 0)
            if not count:
                return None
            if match[2] == "days":
                return (today - timedelta(days=count)).isoformat()
            return _week(today - timedelta(weeks=count))
        if raw == "a week ago":
            return _week(today - timedelta(weeks=1))
        if raw.startswith("last ") and raw[5:] in WEEKDAYS:
            back = (today.weekday() - WEEKDAYS.index(raw[5:])) % 7 or 7
            return (today - timedelta(days=back)).isoformat()
        if raw in WEEKDAYS:  # Alexa: the coming one
            ahead = (WEEKDAYS.index(raw) - today.weekday()) % 7
            return (today + timedelta(days=ahead)).isoformat()
        day = _month_day(raw)
        if day is not None:
            month, number = day
            try:
                candidate = date(today.year, month, number)
                if candidate < today:
                    candidate = date(today.year + 1, month, number)
            except ValueError:
                return None
            return candidate.isoformat()
        try:
            return datetime.strptime(raw, "%Y %m %d").date().isoformat()
        except ValueError:
            return None


MINUTE_WORDS = {"": 0, "fifteen": 15, "thirty": 30, "forty five": 45, "forty": 40, "fifty": 50}


def spoken_time(raw: str) -> str | None:
    """The AMAZON.TIME value for "8 pm", "eight thirty pm", "seven", "19:30" ("HH:MM").

    A bare hour from one to eleven is taken as the evening (a reconnect is an evening thing).
    """
    words = raw.replace("p.m.", "pm").replace("a.m.", "am").replace("o'clock", "").split()
    suffix = words.pop() if words and words[-1] in ("am", "pm") else ""
    if len(words) == 1 and ":" in words[0]:
        words = words[0].split(":")
    if not words:
        return None
    hour = int(words[0]) if words[0].isdigit() else NUMBER_WORDS.get(words[0], -1)
    rest = " ".join(words[1:])
    minute = int(rest) if rest.isdigit() else MINUTE_WORDS.get(rest, NUMBER_WORDS.get(rest, -1))
    if hour < 0 or minute < 0:
        return None
    if suffix == "pm" and hour < 12 or not suffix and 1 <= hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


MONTHS = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
ORDINALS = {
    **{w: i for w, i in NUMBER_WORDS.items() if i},
    **{"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6},
    **{"seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12},
    **{"thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16},
    **{"seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20},
    **{"thirtieth": 30, "thirty": 30},
}


def _month_day(raw: str) -> tuple[int, int] | None:
    """ "november 3rd", "november third", "3rd of november", "first of november"."""
    words = raw.replace(" of ", " ").split()
    month = next((w for w in words if w in MONTHS), None)
    if month is None or len(words) not in (2, 3):
        return None
    rest = [w for w in words if w != month]
    number = _day_number(" ".join(rest))
    return (MONTHS.index(month) + 1, number) if number else None


def _day_number(text: str) -> int | None:
    text = text.replace("twenty ", "twenty-").replace("thirty ", "thirty-")
    if match := re.match(r"^(\d{1,2})(st|nd|rd|th)?$", text):
        return int(match[1])
    if "-" in text:
        tens, _, ones = text.partition("-")
        high = {"twenty": 20, "thirty": 30}.get(tens)
        low = ORDINALS.get(ones)
        return high + low if high and low and low < 10 else None
    return ORDINALS.get(text)


def _week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*$")
_NOT_NAMES = frozenset(
    {
        *("yes", "no", "stop", "help", "cancel", "repeat", "recap", "skip", "pass", "next"),
        *("and", "the", "a", "is", "it", "what", "wait", "hmm", "um", "me", "first", "goes"),
        *("i", "we", "you", "my", "our", "this", "that", "not", "go", "back", "undo", "hold"),
    }
)
