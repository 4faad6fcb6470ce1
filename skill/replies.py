"""Yes and no said inside a slot's words, recognised from content (per locale).

Alexa usually sends "yes" as AMAZON.YesIntent, but a slot being elicited can hold it too
("that's me" as a first name): validated values never take "yes" for a name.
"""

from __future__ import annotations

import re
from functools import cache

from skill.content import Content, content_data, json_object


def normalise(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone: as Alexa hands slot text over."""
    text = text.lower().replace("’", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


@cache
def _replies(locale: str) -> dict[str, frozenset[str]]:
    raw = json_object(content_data(locale, "replies.json"), "replies.json")
    return {kind: frozenset(normalise(p) for p in raw[kind]) for kind in ("yes", "no")}


def yes_or_no(text: str | None, content: Content) -> str | None:
    """ "yes" or "no" when the words say only that, else None."""
    said = normalise(text or "")
    for kind, phrases in _replies(content.locale).items():
        if said in phrases:
            return kind
    return None
