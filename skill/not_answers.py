"""What is said while an answer is awaited that is not an answer, recognised from data.

While the skill listens for an answer, Alexa hands over almost anything as the answer
slot ("wait", "what was the question", "delete our answers"). The phrases live with the
content (`not_answers.json`); this module only matches them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from skill.content import Content, content_data

KINDS = (
    "repeat",
    "think",
    "pass",
    "go_first",
    "correct",
    "delete",
    "remind",
    "rename",
    "voice",
    "stage",
    "stop",
    "help",
)


@dataclass(frozen=True)
class NotAnswer:
    """What a phrase asks for instead: one of KINDS, and for go_first the partner's name."""

    kind: str
    name: str | None = None
    text: str = ""  # what was said, as matched


@dataclass(frozen=True)
class Phrases:
    exact: dict[str, str]  # phrase -> kind
    prefixes: tuple[tuple[str, str], ...]  # (prefix, kind), longest first
    patterns: tuple[tuple[str, str], ...]  # ("{name} goes first", kind)
    fillers: frozenset[str] = frozenset()  # "hmm", "um", "well": set aside before matching
    longest_first: tuple[str, ...] = ()  # the exact phrases, longest first, for strings of them


def normalize(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone: as Alexa hands slot text over."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w' -]+", " ", text).replace("-", " ").split())


@cache
def phrases(locale: str = "en-US") -> Phrases:
    """The recogniser's data for a locale (resolved like all content), checked once."""
    raw = content_data(locale, "not_answers.json")
    if not isinstance(raw, dict):
        raise ValueError("not_answers.json: expected a JSON object")
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    patterns: list[tuple[str, str]] = []
    fillers = frozenset(normalize(w) for w in raw.get("fillers", {}).get("words", []))
    for kind, lists in raw.items():
        if kind.startswith("_") or kind == "fillers":
            continue
        if kind not in KINDS:
            raise ValueError(f"not_answers.json: unknown kind {kind!r}")
        exact.update({normalize(p): kind for p in lists.get("exact", [])})
        prefixes.extend((normalize(p), kind) for p in lists.get("prefix", []))
        patterns.extend((p, kind) for p in lists.get("patterns", []))
    prefixes.sort(key=lambda item: -len(item[0]))
    longest_first = tuple(sorted(exact, key=len, reverse=True))
    return Phrases(exact, tuple(prefixes), tuple(patterns), fillers, longest_first)


# What each kind of phrase asks for, as the intent (or pseudo-intent) the skill routes it to.
INTENT_OF = {
    "repeat": "AMAZON.RepeatIntent",
    "think": "Think",
    "pass": "SkipIntent",
    "go_first": "GoFirst",
    "correct": "CorrectAnswerIntent",
    "remind": "SetReminderIntent",
    "rename": "NamesIntent",
    "voice": "ForgetVoiceIntent",
    "stage": "StageMoreIntent",  # "tell me more about this stage", as the question invites
    "stop": "AMAZON.StopIntent",
    "help": "AMAZON.HelpIntent",
}


@dataclass(frozen=True)
class Heard:
    """What a supposed answer really asks for: an intent of the model or a pseudo-intent
    ("Think", "GoFirst" with slot "name"), and what could be read off its words."""

    intent: str
    slots: Mapping[str, str]
    text: str = ""
    score: float = 1.0


def recognise(text: str, names: tuple[str, ...], content: Content) -> Heard | None:
    """What a supposed answer asks for instead, or None when it is an answer."""
    found = recognise_kind(text, names, content.locale)
    if found is None:
        return None
    if found.kind == "delete":
        words = f" {found.text} "
        if any(w in words for w in (" last ", " just said", " that ", " my answer", " it ")):
            intent = "DeleteLastAnswerIntent"
        elif any(w in words for w in (" tonight", " today")):
            intent = "DeleteTonightIntent"
        else:
            intent = "DeleteAllIntent"
        return Heard(intent, {}, found.text)
    slots = {"name": found.name} if found.name else {}
    return Heard(INTENT_OF[found.kind], slots, found.text)


def recognise_kind(
    text: str, names: tuple[str, ...] = (), locale: str = "en-US"
) -> NotAnswer | None:
    """What a supposed answer really asks for, or None when it is an answer."""
    data = phrases(locale)
    whole = normalize(text)
    if not whole:
        return None
    core = _without_fillers(whole, data)
    if not core:  # nothing but "hmm" and "um"
        return NotAnswer("think", text=whole)
    for said in dict.fromkeys((whole, core)):  # as said, then without its fillers
        found = _match(said, names, data)
        if found is not None:
            return found
    kind = _only_phrases(core, data)
    if kind is not None:
        return NotAnswer(kind, text=whole)
    return None


def _match(said: str, names: tuple[str, ...], data: Phrases) -> NotAnswer | None:
    for name in names:
        spoken = normalize(name)
        for pattern, kind in data.patterns:
            if spoken and said == normalize(pattern.replace("{name}", spoken)):
                return NotAnswer(kind, name, said)
    if said in data.exact:
        return NotAnswer(data.exact[said], text=said)
    for prefix, kind in data.prefixes:
        if said == prefix or said.startswith(prefix + " "):
            return NotAnswer(kind, text=said)
    return None


def _without_fillers(said: str, data: Phrases) -> str:
    """The text without the fillers at its start and end ("um what was the question")."""
    words = said.split()
    while words and words[0] in data.fillers:
        words.pop(0)
    while words and words[-1] in data.fillers:
        words.pop()
    return " ".join(words)


def _only_phrases(said: str, data: Phrases) -> str | None:
    """Made only of such phrases and fillers ("hmm let me think", "wait what", "hold on,
    what was the question"): the kind of the last phrase, which is what they ask for."""
    known = data.longest_first
    rest, kind = said, None
    while rest:
        head = next((p for p in known if rest == p or rest.startswith(p + " ")), None)
        if head is not None:
            kind = data.exact[head]
            rest = rest[len(head) :].strip()
            continue
        first, _, after = rest.partition(" ")
        if first not in data.fillers:
            return None
        rest = after
    return kind
