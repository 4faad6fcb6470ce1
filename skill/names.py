"""Whether what arrived as a first name is one: validated in the skill, never trusted.

While a first name is asked, Alexa can fill the name slot with "yes", "what is this" or
"coffee and cake". Those are refused; a plausible name that is also an everyday word
("Hope", "Will") is confirmed before it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from skill.content import Content

MAX_NAME_CHARS = 40
MAX_NAME_WORDS = 3
NOT_NAMES = frozenset(
    {
        "yes",
        "yeah",
        "yep",
        "no",
        "nope",
        "what",
        "help",
        "stop",
        "cancel",
        "okay",
        "ok",
        "sure",
        "me",
        "um",
        "uh",
    }
)


# Names that are also everyday words: confirmed before they are kept.
EVERYDAY_WORDS = frozenset({"hope", "will", "joy", "summer", "sunny", "grace", "rose", "may"})


@dataclass(frozen=True)
class NameCheck:
    """What to do with a heard name: "name" (use it), "unusual" (confirm first), or
    "not_a_name" (ask again); `name` as it will be said back."""

    verdict: str
    name: str | None


def clean_name(value: str | None) -> str | None:
    """A spoken first name as we will say it back: "mary ann" -> "Mary Ann", "zoë" -> "Zoë"."""
    if not value:
        return None
    words = " ".join(value.split())[:MAX_NAME_CHARS].split(" ")
    name = " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in words)
    return name or None


def check_name(text: str | None, content: Content) -> NameCheck:
    """Whether `text` is a plausible first name."""
    words = (text or "").lower().split()
    if (
        not words
        or len(words) > MAX_NAME_WORDS
        or "and" in words
        or any(w in NOT_NAMES for w in words)
        or any(ch.isdigit() for ch in "".join(words))
    ):
        return NameCheck("not_a_name", None)
    verdict = "unusual" if any(w in EVERYDAY_WORDS for w in words) else "name"
    return NameCheck(verdict, clean_name(" ".join(words)))
