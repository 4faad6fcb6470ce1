"""What was said compared with the phrase book: an answer, or what it asks for instead.

A supposed answer is compared with each phrase of the locale's phrase book
(skill.not_answers.phrase_book) by a weighted overlap of their words that tolerates an
extra or a missing word and another verb; the couple's names and the placeholders
({stage_number}, {name}) are filled from what was said. Strings of short phrases ("wait
hang on what") and run-ons that end asking for the question again are read too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from skill.content import Content
from skill.names import NAME, verdict
from skill.not_answers.phrase_book import (
    SLOT_WEIGHT,
    Recogniser,
    Word,
    bag,
    compiled,
    normalize,
    phrase_at,
    set_aside,
    stem,
)
from skill.not_answers.restated import restated_answer

# Chosen on the development set (tests/data/dev/), never on the held-out one: the lowest
# score at which a phrase is taken for what was said. Below it, the text is an answer.
THRESHOLD = 0.82
# A string of short phrases ("wait hang on what") is taken piece by piece, each piece
# exactly one phrase; the last piece is what they ask for.
MAX_PIECE_WORDS = 6
# A run-on ending in at least this many words that ask for the question again is asking
# for it; only that ask: an answer may well end in words of another ("...let me think").
RUN_ON_WORDS = 3
RUN_ON_INTENTS = frozenset({"AMAZON.RepeatIntent"})
CORRECTION = "CorrectAnswerIntent"
MAX_PIECES_TEXT = 12  # words: a longer text is never a string of hesitations
MIN_LITERAL_RECALL = 0.6  # of a phrase's own words, by weight, when it has placeholders
NAME_WEIGHT = 0.35  # one of the couple's names, said: about as telling as "we"
SLOT_MAX_WORDS = {"period": 4, "time": 3, "day": 2}  # others: one word (two for names)
NAME_SLOTS = frozenset({"name"})  # filled only by one of the couple's names
FREE_NAME_SLOTS = frozenset({"first_name", "second_name"})  # any word that may be a name

UNEXPLAINED, LITERAL, BY_SLOT = 0, 1, 2  # how a word said was accounted for


@dataclass(frozen=True)
class Heard:
    """What a supposed answer really asks for."""

    intent: str  # an intent of the model, or a pseudo-intent: "Think" or "GoFirst"
    slots: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    text: str = ""  # the normalised text as matched
    score: float = 1.0


def _trimmed(recogniser: Recogniser, words: list[Word]) -> list[list[Word]]:
    """What was said, and what is left as the words that only open ("well", "no", "i'd
    rather") or close ("then", "again", "mate") a request come off, one at a time from
    either end: each is scored, the best counts. The last is the barest."""
    variants = [words]
    opened = words
    while size := phrase_at(recogniser.leading, opened, 0):
        opened = opened[size:]
        variants.append(opened)
    for start in list(variants):
        closed = start
        while size := phrase_at(recogniser.trailing, closed, 0, from_end=True):
            closed = closed[:-size]
            variants.append(closed)
    unique: list[list[Word]] = []
    for variant in variants:
        if variant and variant not in unique:
            unique.append(variant)
    barest = min(unique, key=len, default=None)
    if barest is not None:  # the barest last: a string of hesitations is read from it
        unique.remove(barest)
        unique.append(barest)
    return unique


def recognise(text: str, names: tuple[str, ...], content: Content) -> Heard | None:
    """What a supposed answer asks for instead, or None when it is an answer."""
    recogniser = compiled(content.locale)
    said = [Word(w, stem(w)) for w in recogniser.words(text)]
    if not said:
        return None
    whole = " ".join(w.surface for w in said)
    kept, sounded = set_aside(recogniser, said)
    variants = _trimmed(recogniser, kept)
    if not kept:
        return Heard("Think", text=whole) if sounded else None  # "hmm", "um please"
    couple = _couple(recogniser, names)
    found = [m for v in variants if (m := _best(recogniser, v, couple, THRESHOLD)) is not None]
    best = max(found, key=lambda m: m.rank, default=None)
    if best is not None and best.score >= THRESHOLD:
        if best.intent != CORRECTION:  # "no no i said pancakes" is no rename
            restated = _restated(recogniser, text, names, content)
            if restated is not None and "unsure" not in restated.slots:
                return restated
        return Heard(best.intent, best.slots, whole, round(best.score, 3))
    pieces = next((p for v in variants if (p := _pieces(recogniser, v)) is not None), None)
    if pieces is not None:
        return Heard(pieces.intent, pieces.slots, whole, round(pieces.score, 3))
    ending = _ends_asking_again(recogniser, variants)
    if ending is not None:
        return Heard(ending.intent, ending.slots, whole, round(ending.score, 3))
    if _only_edges(recogniser, kept):
        return Heard("Think", text=whole)  # "well um", "wow okay", "right so"
    return _restated(recogniser, text, names, content)


def _restated(
    recogniser: Recogniser, text: str, names: tuple[str, ...], content: Content
) -> Heard | None:
    """A correction said with the new answer ("that's wrong i said the garden"): the answer
    rides in its slot, and "unsure" when only a bare "no" opened it (the skill asks first).
    When what follows is not an answer ("i said let me think"), it is a correction on its
    own: the partner is asked again."""
    found = restated_answer(recogniser.locale, text)
    if found is None:
        return None
    whole = " ".join(recogniser.words(text))
    if recognise(found.answer, names, content) is not None:
        return Heard(CORRECTION, text=whole) if found.sure else None
    slots = {"answer": found.answer}
    if not found.sure:
        slots["unsure"] = "yes"
        slots["said"] = text  # all of it: the next partner's answer, if not a change
    if found.misheard:
        slots["misheard"] = found.misheard
    return Heard(CORRECTION, MappingProxyType(slots), whole)


def _ends_asking_again(recogniser: Recogniser, variants: list[list[Word]]) -> _Match | None:
    """A run-on that ends asking for the question again ("sorry i was miles away what was
    that"): the last words, at least RUN_ON_WORDS of them, are exactly such a phrase."""
    for words in variants:
        for size in range(min(len(words) - 1, MAX_PIECE_WORDS), RUN_ON_WORDS - 1, -1):
            intent = recogniser.exact.get(bag(words[len(words) - size :]))
            if intent in RUN_ON_INTENTS:
                return _Match(intent, MappingProxyType({}), 1.0, 0.0)
    return None


def _only_edges(recogniser: Recogniser, words: list[Word]) -> bool:
    """Made only of words that open or close a request, with nothing between ("well okay")."""
    edges = recogniser.leading | recogniser.trailing
    if tuple(w.surface for w in words) in recogniser.yes_no:
        return False  # yes and no are answers
    return all((w.surface,) in edges and (w.surface,) not in recogniser.yes_no for w in words)


def _couple(recogniser: Recogniser, names: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    """Each of the couple's names as the words it is heard as -> the name as given."""
    return {tuple(recogniser.words(name)): name for name in names if normalize(name)}


@dataclass(frozen=True)
class _Match:
    intent: str
    slots: Mapping[str, str]
    score: float
    matched: float  # how much of the phrase was said: between equals, the fuller phrase wins

    @property
    def rank(self) -> tuple[float, float]:
        return (round(self.score, 6), self.matched)


def _best(
    recogniser: Recogniser,
    said: list[Word],
    couple: dict[tuple[str, ...], str],
    floor: float = 0.0,
) -> _Match | None:
    """The phrase most like what was said, and how alike they are (0 to 1), when at least
    `floor`. Only phrases that could reach it are scored: to score `floor`, a phrase must
    explain a share of what was said (precision) of at least floor / (2 - floor), so it must
    hold one of the heaviest words said, or a placeholder that can take it."""
    name_spans = _name_spans(said, couple)
    named = {i for start, size, _ in name_spans for i in range(start, start + size)}
    weights = [NAME_WEIGHT if i in named else recogniser.weight(w.stem) for i, w in enumerate(said)]
    total = sum(weights)
    unexplained_at_most = total * (1 - floor / (2 - floor))
    candidates: set[int] = set()
    left = total
    # A phrase much lighter or heavier than what was said cannot reach `floor` either:
    # F1 <= 2 * min(said, phrase) / (said + phrase).
    lightest, heaviest = total * floor / (2 - floor), total * (2 - floor) / max(floor, 1e-9)
    for i in sorted(range(len(said)), key=lambda i: -weights[i]):
        word = said[i]
        by_weight = recogniser.index_by_weight.get(word.stem)
        if by_weight is not None:
            ascending, numbers = by_weight
            start, end = bisect_left(ascending, lightest), bisect_right(ascending, heaviest)
            candidates.update(numbers[start:end])
        candidates.update(recogniser.slot_phrases_with.get(word.stem, ()))
        if i in named:
            candidates.update(recogniser.slot_index.get("name", ()))
        for slot in _slots_for(recogniser, word):
            candidates.update(recogniser.slot_index.get(slot, ()))
        left -= weights[i]
        if left < unexplained_at_most:
            break  # a phrase holding none of these words leaves too much unexplained
    # What a phrase without placeholders could explain at most: its words that were said.
    # One that cannot reach `floor` even so is not scored.
    said_weight: dict[str, float] = {}
    for word in said:
        said_weight[word.stem] = said_weight.get(word.stem, 0.0) + recogniser.weight(word.stem)
    best: _Match | None = None
    for number in sorted(candidates):
        if not recogniser.phrases[number].slots:
            literal = recogniser.phrase_weights[number][0]
            explained = sum(said_weight.get(w, 0.0) for w in recogniser.phrase_words[number])
            explained = min(explained, literal, total)
            if not explained or 2 * explained / (total + literal) < floor:
                continue  # F1 <= 2 * explained / (said + phrase)
        match = _score(recogniser, number, said, weights, name_spans)
        if match is not None and match.score >= floor and (best is None or match.rank > best.rank):
            best = match
    return best


def _slots_for(recogniser: Recogniser, word: Word) -> tuple[str, ...]:
    """The placeholders that may take this word ("three": stage_number, time, period)."""
    found = tuple(s for s, vocabulary in recogniser.slot_words.items() if word.stem in vocabulary)
    if word.stem not in recogniser.weights and verdict(word.surface, recogniser.locale) == NAME:
        found += tuple(FREE_NAME_SLOTS)
    return found


def _name_spans(said: list[Word], couple: dict[tuple[str, ...], str]) -> list[tuple[int, int, str]]:
    """Where the couple's names were said: (start, number of words, the name as given)."""
    spans = []
    surfaces = [w.surface.removesuffix("'s") for w in said]
    for words, name in couple.items():
        for start in range(len(said) - len(words) + 1):
            if tuple(surfaces[start : start + len(words)]) == words:
                spans.append((start, len(words), name))
    return spans


def _score(
    recogniser: Recogniser,
    number: int,
    said: list[Word],
    weights: list[float],
    name_spans: list[tuple[int, int, str]],
) -> _Match | None:
    """How alike a phrase and what was said are: the F-measure of the weight of what was
    said that the phrase explains (precision) and of the phrase that was said (recall)."""
    phrase = recogniser.phrases[number]
    wanted = dict(phrase.words)
    explained = [UNEXPLAINED] * len(said)
    matched_phrase = 0.0
    for i, word in enumerate(said):
        if wanted.get(word.stem, 0) > 0:
            wanted[word.stem] -= 1
            explained[i] = LITERAL
            matched_phrase += recogniser.weight(word.stem)
    literal_weight, phrase_weight = recogniser.phrase_weights[number]
    if phrase.slots and matched_phrase < MIN_LITERAL_RECALL * literal_weight:
        return None  # placeholders cannot carry a match: "{first_name} and {second_name}"
    slots: dict[str, str] = {}
    for slot in phrase.slots:
        filled = _fill(recogniser, slot, said, explained, name_spans)
        if not filled and slot in NAME_SLOTS:
            return None  # "{name} answers first" is about a name said, or nothing
        if filled:
            slots[slot] = filled
            matched_phrase += SLOT_WEIGHT
    # A word a placeholder took weighs what the placeholder weighs, on both sides.
    matched_said = unexplained = 0.0
    for weight, how in zip(weights, explained, strict=True):
        if how == LITERAL:
            matched_said += weight
        elif how == BY_SLOT:
            matched_said += SLOT_WEIGHT
        else:
            unexplained += weight
    if not matched_said:
        return None
    precision = matched_said / (matched_said + unexplained)
    recall = matched_phrase / phrase_weight
    score = 2 * precision * recall / (precision + recall)  # F1: both count alike
    return _Match(phrase.intent, MappingProxyType(slots), score, matched_phrase)


def _fill(
    recogniser: Recogniser,
    slot: str,
    said: list[Word],
    explained: list[int],
    name_spans: list[tuple[int, int, str]],
) -> str | None:
    """Fill a placeholder with words not yet explained; mark them explained."""
    if slot in NAME_SLOTS:
        for start, size, name in name_spans:
            if not any(explained[start : start + size]):
                explained[start : start + size] = [BY_SLOT] * size
                return name
        return None
    if slot in FREE_NAME_SLOTS:  # only a word that is plainly a name ("jo", not "home")
        for i, word in enumerate(said):
            if not explained[i] and verdict(word.surface, recogniser.locale) == NAME:
                explained[i] = BY_SLOT
                return word.surface
        return None
    vocabulary = recogniser.slot_words[slot]
    taken: list[str] = []
    for i, word in enumerate(said):
        if not explained[i] and word.stem in vocabulary:
            if len(taken) >= SLOT_MAX_WORDS.get(slot, 1):
                break
            explained[i] = BY_SLOT
            taken.append(word.surface)
    if not taken:
        return None
    value = " ".join(taken)
    if slot == "stage_number":
        return recogniser.stage_numbers.get(value, value)
    return value


def _pieces(recogniser: Recogniser, said: list[Word]) -> _Match | None:
    """A text made only of short phrases ("hmm wait hold on what was the question", "that's
    wrong, change it"): the last one, which is what they ask for. Only hesitations, or
    phrases asking for the same thing, may come before it. Each piece is one phrase's words
    exactly (in any order), so this is a few lookups."""
    size = len(said)
    if size > MAX_PIECES_TEXT or size < 2:
        return None
    found: dict[tuple[int, int], str] = {}
    for start in range(size):
        for end in range(start + 1, min(size, start + MAX_PIECE_WORDS) + 1):
            intent = recogniser.exact.get(bag(said[start:end]))
            if intent is not None and (start, end) != (0, size):
                found[(start, end)] = intent
    for (start, end), last in sorted(found.items()):
        if end != size:
            continue
        allowed = {"Think", last}
        reached = {0}
        for position in range(start):
            if position in reached:
                reached.update(e for (s, e), i in found.items() if s == position and i in allowed)
        if start in reached:
            return _Match(last, MappingProxyType({}), 1.0, 0.0)
    return None
