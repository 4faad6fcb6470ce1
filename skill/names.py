"""Is what filled the first-name slot a first name? Validated in the skill, never trusted.

Alexa fills an AMAZON.FirstName slot with whatever was said: "yes", "what is this",
"coffee and cake". A first name must be plausible: not yes or no, a hesitation, a question,
a command or an everyday phrase (content: names.json, name_words.json). A plausible name
that is also a common word ("Hope", "Will", "Summer"), very long, or a single letter is
confirmed before it is used, so a real name is never refused for sounding like a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from skill.content import Content, content_data

MAX_NAME_CHARS = 40
MAX_NAME_WORDS = 3

NAME = "name"  # plausible: use it
UNUSUAL = "unusual"  # plausible, but confirm first ("Did I hear Sunny?")
NOT_A_NAME = "not_a_name"  # refuse, and ask again

_WORD = re.compile(r"^[^\W\d_]+(?:['-][^\W\d_]+)*'?$")


@dataclass(frozen=True)
class NameCheck:
    """A verdict on a heard first name, and the name as it will be said back."""

    verdict: str  # NAME, UNUSUAL or NOT_A_NAME
    name: str | None  # "mary ann" -> "Mary Ann", "zoë" -> "Zoë"; None when nothing was heard


def clean_name(value: str | None) -> str | None:
    """A spoken first name as we will say it back: "mary ann" -> "Mary Ann", "zoë" -> "Zoë"."""
    if not value:
        return None
    words = " ".join(value.split())[:MAX_NAME_CHARS].split(" ")
    name = " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in words)
    return name or None


@dataclass(frozen=True)
class NameWords:
    """One locale's lists, compiled once."""

    not_names: frozenset[str]
    not_name_phrases: frozenset[str]
    joiners: frozenset[str]
    particles: frozenset[str]
    common: frozenset[str]
    max_letters: int


@cache
def name_words(locale: str) -> NameWords:
    """The locale's name lists (names.json, and the generated name_words.json)."""
    data = content_data(locale, "names.json")
    generated = content_data(locale, "name_words.json")
    if not isinstance(data, dict) or not isinstance(generated, dict):
        raise ValueError("names.json and name_words.json: expected JSON objects")

    def words(key: str) -> frozenset[str]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise ValueError(f"names.json: {key} must be a list")
        return frozenset(_spoken(str(v)) for v in value)

    everyday = frozenset(str(generated.get("everyday_words", "")).split())
    return NameWords(
        not_names=words("not_names") | everyday,
        not_name_phrases=words("not_name_phrases"),
        joiners=words("joiners"),
        particles=words("particles"),
        common=frozenset(str(generated.get("common_words", "")).split()),
        max_letters=int(data.get("max_letters", 14)),
    )


def _spoken(text: str) -> str:
    """Lower case, curly apostrophes straightened, punctuation but ' and - gone, one space."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return " ".join(re.sub(r"[^\w'\- ]+", " ", text).split())


def check_name(text: str | None, content: Content) -> NameCheck:
    """Whether the first-name slot holds a first name, one to confirm, or something else."""
    spoken = _spoken(text or "")
    name = clean_name(spoken)
    if not spoken or name is None:
        return NameCheck(NOT_A_NAME, None)
    return NameCheck(verdict(spoken, content.locale), name)


def verdict(spoken: str, locale: str) -> str:
    """NAME, UNUSUAL or NOT_A_NAME for text as Alexa hands it over (lower case)."""
    lists = name_words(locale)
    words = spoken.split()
    if not words:
        return NOT_A_NAME
    if (
        len(words) > MAX_NAME_WORDS
        or spoken in lists.not_name_phrases
        or not all(_WORD.match(w) for w in words)  # digits, stray symbols
    ):
        return NOT_A_NAME
    if len(words) > 1 and any(w in lists.joiners for w in words):
        return NOT_A_NAME  # "coffee and cake": two things, not one name
    inside = lists.particles if len(words) > 1 else frozenset()
    if any(_never_a_name(w, lists) and w not in inside for w in words):
        return NOT_A_NAME
    parts = [p for w in words for p in w.split("-")]
    if (
        any(p in lists.common and p not in inside for p in parts)
        or len(spoken.replace(" ", "").replace("-", "")) > lists.max_letters
        or any(len(p.strip("'")) < 2 for p in parts)
    ):
        return UNUSUAL
    return NAME


def _never_a_name(word: str, lists: NameWords) -> bool:
    """A word that is never a first name: "yes", "what", "together" (also as "what's")."""
    if word in lists.not_names:
        return True
    return any(part in lists.not_names for part in word.split("-") if "-" in word)
