"""What is said while an answer is awaited that is not an answer, recognised from data.

While the skill listens for an answer, Alexa hands over almost anything as the answer
slot ("wait", "what was the question", "delete our answers"). The phrases live with the
content (`not_answers.json`); this module only matches them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

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


def normalize(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone: as Alexa hands slot text over."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w' -]+", " ", text).replace("-", " ").split())


@cache
def phrases(locale: str = "en-US") -> Phrases:
    """The recogniser's data, checked once."""
    raw = json.loads(
        files("skill.content").joinpath(locale, "not_answers.json").read_text(encoding="utf-8")
    )
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    patterns: list[tuple[str, str]] = []
    for kind, lists in raw.items():
        if kind.startswith("_"):
            continue
        if kind not in KINDS:
            raise ValueError(f"not_answers.json: unknown kind {kind!r}")
        exact.update({normalize(p): kind for p in lists.get("exact", [])})
        prefixes.extend((normalize(p), kind) for p in lists.get("prefix", []))
        patterns.extend((p, kind) for p in lists.get("patterns", []))
    prefixes.sort(key=lambda item: -len(item[0]))
    return Phrases(exact, tuple(prefixes), tuple(patterns))


def recognise(text: str, names: tuple[str, ...] = (), locale: str = "en-US") -> NotAnswer | None:
    """What a supposed answer really asks for, or None when it is an answer."""
    said = normalize(text)
    if not said:
        return None
    data = phrases(locale)
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
