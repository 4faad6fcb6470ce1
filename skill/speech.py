"""SSML building: everything spoken goes through here, escaped once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

MAX_SPEECH_CHARS = 8000  # Alexa's limit on outputSpeech
MAX_ANSWER_CHARS = 500  # what we keep of one spoken answer
MAX_AUDIO_TAGS = 5  # Alexa's limits per response
MAX_AUDIO_SECONDS = 240.0
WORDS_PER_SECOND = 2.5  # a calm speaking pace, slower than Alexa's: what "30 s" is measured in

# XML's five entities (xml.sax.saxutils would do the same, at an import a turn can skip).
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})
_SPACES = re.compile(r"\s+")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Make any text safe to place inside SSML (user answers, names, content)."""
    return _NOT_XML.sub("", text).translate(_ENTITIES)


def trim_answer(text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """Shorten a long answer at a word boundary; never drop it."""
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Audio(NamedTuple):
    """A pre-rendered clip of static content and the words it says."""

    url: str
    text: str
    seconds: float


@dataclass
class Speech:
    """An ordered list of things to say; renders to SSML or to plain text."""

    parts: list[str | Audio | int] = field(default_factory=list)

    def say(self, *texts: str) -> Speech:
        self.parts.extend(t for t in texts if t)
        return self

    def pause(self, milliseconds: int = 400) -> Speech:
        self.parts.append(milliseconds)
        return self

    def play(self, clip: Audio) -> Speech:
        self.parts.append(clip)
        return self

    def extend(self, other: Speech) -> Speech:
        self.parts.extend(other.parts)
        return self

    def ssml(self) -> str:
        """The inner SSML (the SDK wraps it in <speak>); audio past Alexa's limits is spoken."""
        out: list[str] = []
        audio_tags, audio_seconds = 0, 0.0
        for part in self.parts:
            if isinstance(part, int):
                out.append(f'<break time="{part}ms"/>')
            elif isinstance(part, Audio):
                fits = audio_seconds + part.seconds <= MAX_AUDIO_SECONDS
                if audio_tags < MAX_AUDIO_TAGS and fits:
                    audio_tags += 1
                    audio_seconds += part.seconds
                    out.append(f'<audio src="{escape(part.url)}"/>')
                else:
                    out.append(escape(part.text))
            else:
                out.append(escape(part))
        return " ".join(out)

    def seconds(self) -> float:
        """About how long it takes to say: words at a calm pace, its pauses and clips."""
        total = 0.0
        for part in self.parts:
            if isinstance(part, int):
                total += part / 1000
            elif isinstance(part, Audio):
                total += part.seconds
            else:
                total += len(part.split()) / WORDS_PER_SECOND
        return total

    def text(self) -> str:
        """The same words as plain text, for a card in the Alexa app."""
        return " ".join(
            p.text if isinstance(p, Audio) else p for p in self.parts if not isinstance(p, int)
        )


READBACK_WORDS = 15  # an answer said back after it is given
RECAP_WORDS = 40  # an answer read in a recap


def shorten(text: str, words: int) -> tuple[str, bool]:
    """The first `words` words of an answer (never cut mid-word), and whether it was cut."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts), False
    kept = parts[:words]
    # End at a natural pause when one falls in the last third of what is kept.
    for i in range(len(kept) - 1, (2 * words) // 3, -1):
        if kept[i].endswith((",", ";", ".", "!", "?")):
            kept = kept[: i + 1]
            break
    return " ".join(kept).rstrip(",;:.!?…-— "), True
