"""A correction said with the new answer in one breath: "no that's wrong, i said the way he
hums when he makes the tea", "sorry i meant his terrible puns", "ugh no, his puns".

The words that open it are a correction's lead ("that's wrong", "you misheard me", "i didn't
say {word} i said"), one or more, perhaps a link ("i said", "it was") after them, with
hesitations, exclamations and the words that open a request ("well", "um", "ugh") among
them; what follows is the new answer, taken as it was said, less a contrast with the words
misheard at its end ("the cottage not the college"). A lead that says the last answer was
heard wrong is sure; a bare "no" or "nope" before new words is not (an answer may begin so:
"no i think we covered it"), and the skill asks before it changes anything. Never a bare
"i said" or "go back": answers begin with them. The leads and links are data
(not_answers.json, "restated").
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import NamedTuple

from skill.content import content_data, json_object
from skill.not_answers.phrase_book import (
    Recogniser,
    Word,
    compiled,
    expand,
    normalize,
    read_list,
    set_aside,
    stem,
)

MAX_HEAD_WORDS = 16  # words said before the new answer, at most: hesitations, two leads, a link
WILDCARD = "{word}"  # in a lead, one to MAX_WILDCARD_WORDS words: "i didn't say {word} i said"
MAX_WILDCARD_WORDS = 3
CONTRAST = "not"  # "the cottage not the college": what follows it is the word misheard
SOUNDS_ALIKE = 0.5  # letters in common (difflib's ratio) of the words misheard and meant
MAX_CONTRAST_WORDS = 8  # a contrast said alone is short: "it's patience not patients"


Lead = tuple[tuple[str, ...], bool]  # its words ("{word}": one to three words), and if sure


@dataclass(frozen=True)
class Corrections:
    """One locale's ways to open a correction said with its new words, read as said: the
    words with contractions spelt out, without politeness or hesitation sounds."""

    recogniser: Recogniser
    leads: dict[tuple[str, ...], bool]  # without "{word}": the words -> whether sure
    wild: dict[str, frozenset[Lead]]  # with "{word}", by first word
    starts: frozenset[str]  # every lead's first word
    links: frozenset[tuple[str, ...]]  # "i said", "it was"
    openers: frozenset[tuple[str, ...]]  # "ugh", "oh for goodness sake"
    not_after_unsure: frozenset[str]  # "no one", "no matter", "no i never thought"
    not_after_lead: frozenset[str]  # "that was wrong of me", "not right away"
    not_misheard: frozenset[str]  # never a "{word}": "not what i said"
    contrast_openers: frozenset[tuple[str, ...]]  # before a contrast said alone: "no", "i said"
    longest: int = 0  # words in the longest lead without "{word}"

    def leads_at(self, words: list[str], at: int) -> list[tuple[int, bool]]:
        """Where each lead that begins at `at` ends, and whether it is sure."""
        if at >= len(words) or words[at] not in self.starts:
            return []
        found: list[tuple[int, bool]] = []
        for size in range(1, min(self.longest, len(words) - at) + 1):
            sure = self.leads.get(tuple(words[at : at + size]))
            if sure is not None:
                found.append((at + size, sure))
        for lead, sure in self.wild.get(words[at], ()):
            found += [(end, sure) for end in _ends(lead, words, at, self.not_misheard)]
        return found


@cache
def corrections_for(locale: str) -> Corrections:
    recogniser = compiled(locale)
    data = json_object(content_data(locale, "not_answers.json"), "not_answers.json")
    raw = json_object(data.get("restated", {}), "not_answers.json: restated")

    def phrases(key: str) -> list[tuple[str, ...]]:
        return [
            _bare(recogniser, recogniser.plain_words(line.replace(WILDCARD, "WILDCARD")))
            for template in read_list(raw.get(key, []), f"restated.{key}")
            for line in expand(template)
        ]

    leads: dict[tuple[str, ...], bool] = {}
    wild: dict[str, set[Lead]] = {}
    for key, sure in (("leads", True), ("unsure_leads", False)):
        for words in phrases(key):
            words = tuple(WILDCARD if w == "wildcard" else w for w in words)
            if not words or words[0] == WILDCARD:
                continue
            if WILDCARD in words:
                wild.setdefault(words[0], set()).add((words, sure))
            else:
                leads[words] = leads.get(words, False) or sure
    return Corrections(
        recogniser=recogniser,
        leads=leads,
        wild={first: frozenset(found) for first, found in wild.items()},
        starts=frozenset(words[0] for words in leads) | frozenset(wild),
        links=frozenset(phrases("links")),
        openers=frozenset(phrases("openers")),
        not_after_unsure=frozenset(w for words in phrases("not_after_unsure") for w in words),
        not_after_lead=frozenset(w for words in phrases("not_after_lead") for w in words),
        not_misheard=frozenset(w for words in phrases("not_misheard") for w in words),
        contrast_openers=frozenset(phrases("contrast_openers")),
        longest=max(map(len, leads), default=0),
    )


def _bare(recogniser: Recogniser, words: list[str]) -> tuple[str, ...]:
    return tuple(w.surface for w in set_aside(recogniser, [Word(w, stem(w)) for w in words])[0])


def _ends(
    lead: tuple[str, ...], words: list[str], at: int, not_misheard: frozenset[str]
) -> list[int]:
    """Where `lead` ends when it begins at `at`; "{word}" takes one to three words."""
    ends = {at}
    for token in lead:
        nexts: set[int] = set()
        for end in ends:
            if token == WILDCARD:  # "i didn't say beard i said", never "not what i said"
                for size in range(1, min(MAX_WILDCARD_WORDS, len(words) - end) + 1):
                    if words[end + size - 1] in not_misheard:
                        break
                    nexts.add(end + size)
            elif end < len(words) and words[end] == token:
                nexts.add(end + 1)
        ends = nexts
    return sorted(ends)


@dataclass(frozen=True)
class Restated:
    """The new answer, as said; whether the words before it surely were a correction; and
    the words misheard, when they were said ("knitting not kitting": "kitting")."""

    answer: str
    sure: bool
    misheard: str = ""


def restated_answer(locale: str, text: str) -> Restated | None:
    """The new answer of a correction said with it ("that's wrong i said X": "X"); None when
    the text does not open with a correction or nothing follows it."""
    c = corrections_for(locale)
    if not c.starts:
        return None
    said = text.split()
    if _may_open(c, text):
        for size in range(min(len(said) - 1, MAX_HEAD_WORDS), 0, -1):  # the longest opening
            rest = said[size:]
            opening = _opening(c, said[:size])
            if opening is None or not _has_content(c, rest):
                continue
            rest = _without_sounds(c, rest)
            if not opening.linked and _goes_on_after(c, _first_word(c, rest), opening.sure):
                return None  # "that was wrong of me", "no one makes me laugh like her"
            return _new_words(c, rest, opening.sure)
    return _contrasted(c, said)


def _goes_on_after(c: Corrections, word: str, sure: bool) -> bool:
    """Whether the word, right after a lead, goes on with its sentence: "i made a mistake
    once", and after a bare "no", "no one", "no i never thought", "not right after"."""
    return word in c.not_after_lead or (not sure and word in c.not_after_unsure)


def _first_word(c: Corrections, words: list[str]) -> str:
    first = c.recogniser.plain_words(words[0]) if words else []
    return first[0] if first else ""


def _new_words(c: Corrections, rest: list[str], sure: bool) -> Restated | None:
    if _begins_yes_or_no(c, rest):
        return None  # "no i said yes the second he asked": a story, not a fix
    meant, misheard = _contrast(rest)
    return Restated(" ".join(meant), sure, " ".join(misheard))


def _contrasted(c: Corrections, said: list[str]) -> Restated | None:
    """A short contrast said alone, "knitting not kitting", "it's snags not snacks": perhaps
    a correction (the skill asks, unless the misheard words are in the answer said back)."""
    if len(said) > MAX_CONTRAST_WORDS:
        return None
    for size in range(min(3, len(said) - 1), -1, -1):
        opening = tuple(c.recogniser.plain_words(" ".join(said[:size])))
        if size and opening not in c.links and opening not in c.contrast_openers:
            continue
        meant, misheard = _contrast(said[size:])
        if misheard:
            return Restated(" ".join(meant), False, " ".join(misheard))
    return None


def _kept(c: Corrections, words: list[str]) -> list[str]:
    """The words, contractions spelt out, without hesitation sounds and politeness."""
    folded = [Word(w, stem(w)) for w in c.recogniser.plain_words(" ".join(words))]
    return [w.surface for w in set_aside(c.recogniser, folded)[0]]


def _may_open(c: Corrections, text: str) -> bool:
    """Cheaply: a lead's first word comes before any word that could not open one."""
    kept = _kept(c, text.split()[:MAX_HEAD_WORDS])
    position = 0
    while position < len(kept):
        if kept[position] in c.starts:
            return True
        size = _edge_at(c, kept, position)
        if not size:
            return False
        position += size
    return False


def _edge_at(c: Corrections, words: list[str], at: int) -> int:
    """How many words at `at` open or close a request or exclaim ("oh dear", "ugh"): 0 if none."""
    for size in range(min(5, len(words) - at), 0, -1):
        part = tuple(words[at : at + size])
        if part in c.recogniser.leading or part in c.recogniser.trailing:
            return size
        if part in c.openers:
            return size
    return 0


class Opening(NamedTuple):
    sure: bool  # a sure lead was said, not only "no" or "nope"
    linked: bool  # a link came last ("i said", "it was")


def _opening(c: Corrections, words: list[str]) -> Opening | None:
    """Whether the words are one or more leads, perhaps then a link, with exclamations and
    the words that open a request among them (None when they are no correction's opening).
    After a lead, yes and no are not skipped ("no i said yes the second he asked")."""
    kept = _kept(c, words)
    size = len(kept)
    before = {0}  # positions reached by edges, before any lead
    led: dict[int, bool] = {}  # positions right after a lead: whether a sure one was said
    for position in range(size + 1):
        edge = _edge_at(c, kept, position) if position < size else 0
        if edge and position in before:
            before.add(position + edge)
        if edge and position in led and not _goes_on(c, kept[position]):
            led[position + edge] = led.get(position + edge, False) or led[position]
        if position in before or position in led:
            sure_so_far = led.get(position, False)
            for end, sure in c.leads_at(kept, position):
                led[end] = led.get(end, False) or sure or sure_so_far
    if size in led:
        return Opening(led[size], linked=False)
    found = [sure for at, sure in led.items() if tuple(kept[at:]) in c.links]
    return Opening(any(found), linked=True) if found else None


def _goes_on(c: Corrections, word: str) -> bool:
    """After a lead, yes or no, or a word that goes on with its sentence ("that was wrong
    but so funny"), is never skipped."""
    return (word,) in c.recogniser.yes_no or word in c.not_after_lead


def _has_content(c: Corrections, words: list[str]) -> bool:
    """Something that is not only hesitations, yes or no, or the words around a request."""
    kept = _kept(c, words)
    edges = c.recogniser.leading | c.recogniser.trailing | c.recogniser.yes_no
    return any((word,) not in edges for word in kept)


def _begins_yes_or_no(c: Corrections, words: list[str]) -> bool:
    first = c.recogniser.plain_words(words[0])[:1]
    return tuple(first) in c.recogniser.yes_no


def _without_sounds(c: Corrections, words: list[str]) -> list[str]:
    """The new answer without the hesitation sounds it opens with ("um the garden")."""
    start = 0
    while start < len(words) - 1 and normalize(words[start]) in c.recogniser.sounds:
        start += 1
    return words[start:]


def _contrast(words: list[str]) -> tuple[list[str], list[str]]:
    """ "The cottage not the college": after a last "not", the words misheard, which sound
    like the words before it ("his patience when i'm not well" keeps its "not well").
    The words meant, and those misheard (none when there is no such contrast)."""
    for at in range(len(words) - 2, 0, -1):
        misheard = words[at + 1 :]
        if words[at] != CONTRAST or len(misheard) > MAX_WILDCARD_WORDS:
            continue
        meant = words[max(0, at - len(misheard)) : at]
        if SequenceMatcher(None, " ".join(meant), " ".join(misheard)).ratio() >= SOUNDS_ALIKE:
            return words[:at], misheard
        break
    return words, []
