"""What is said while an answer is awaited that is not an answer, recognised by similarity.

While the skill listens for an answer, Alexa hands over almost anything as the answer slot
("wait", "what was the question", "delete it all"). The phrases come from data: every
sample of every intent that is not the answer (intent_samples.json, generated from the
interaction model) and what the model has no samples of (not_answers.json: the built-ins,
needing a moment, who goes first). A supposed answer is compared with each phrase by a
weighted overlap of their words that tolerates an extra or a missing word and another verb;
rare words weigh more, so the words an answer is made of ("dishes", "paris") keep it an
answer. When in doubt it is an answer: it is said back, and can be fixed.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from skill.content import Content, content_data, content_for
from skill.names import NAME, verdict

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
MAX_PIECES_TEXT = 12  # words: a longer text is never a string of hesitations
MIN_LITERAL_RECALL = 0.6  # of a phrase's own words, by weight, when it has placeholders
SLOT_WEIGHT = 0.5  # what a placeholder ({stage_number}, {name}) weighs in its phrase
MIN_WEIGHT = 0.25  # the commonest words ("you", "the") still count
UNKNOWN_WEIGHT = 2.0  # a word no phrase has ("careers", "paris"): what answers are made of
NAME_WEIGHT = 0.35  # one of the couple's names, said: about as telling as "we"
SLOT_MAX_WORDS = {"period": 4, "time": 3, "day": 2}  # others: one word (two for names)
NAME_SLOTS = frozenset({"name"})  # filled only by one of the couple's names
FREE_NAME_SLOTS = frozenset({"first_name", "second_name"})  # any word that may be a name

UNEXPLAINED, LITERAL, BY_SLOT = 0, 1, 2  # how a word said was accounted for
_PLACEHOLDER = re.compile(r"^\{(\w+)\}(?:'s)?$")  # "{name}'s turn" too


@dataclass(frozen=True)
class Heard:
    """What a supposed answer really asks for."""

    intent: str  # an intent of the model, or a pseudo-intent: "Think" or "GoFirst"
    slots: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    text: str = ""  # the normalised text as matched
    score: float = 1.0


def normalize(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone: as Alexa hands slot text over.

    A letter said three times or more counts twice: "ummm", "hmmmm", "sooo" are "umm",
    "hmm", "soo"."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"([^\W\d_])\1{2,}", r"\1\1", text)
    return " ".join(re.sub(r"[^\w' -]+", " ", text).replace("-", " ").split())


def stem(word: str) -> str:
    """A crude stem, the same on both sides: "thinks", "think" meet; "answers", "answer"."""
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'")
    if len(word) < 4 or not word.isalpha():
        return word
    # Not "ing": "running", "asking questions" and "helping" are answers' words, and the
    # few requests said with one ("thinking") are folded in the data.
    for suffix in ("ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                continue
            word = word[: -len(suffix)]
            if suffix == "ed" and len(word) > 3 and word[-1] == word[-2]:
                word = word[:-1]  # "skipped" -> "skipp" -> "skip"
            break
    return word


@dataclass(frozen=True)
class Phrase:
    intent: str
    words: Counter[str]  # stems of its literal words
    slots: tuple[str, ...]  # placeholder names, in order
    text: str


@dataclass(frozen=True)
class Word:
    surface: str  # as said (folded): what a slot is filled with
    stem: str


@dataclass
class Recogniser:
    """One locale's phrases, compiled once: folding, words set aside, weights, an index."""

    locale: str
    phrases: list[Phrase]
    folds: dict[tuple[str, ...], tuple[str, ...]]
    sounds: frozenset[str]
    politeness: frozenset[tuple[str, ...]]
    leading: frozenset[tuple[str, ...]]
    trailing: frozenset[tuple[str, ...]]
    yes_no: frozenset[tuple[str, ...]]
    slot_words: dict[str, frozenset[str]]
    stage_numbers: dict[str, str]
    weights: dict[str, float] = field(default_factory=dict)
    index: dict[str, list[int]] = field(default_factory=dict)
    slot_index: dict[str, list[int]] = field(default_factory=dict)
    fold_starts: dict[str, int] = field(default_factory=dict)  # first word -> longest fold
    slot_vocabulary: frozenset[str] = frozenset()
    phrase_weights: list[tuple[float, float]] = field(default_factory=list)  # literal, all
    phrase_words: list[frozenset[str]] = field(default_factory=list)
    # word -> (literal weights ascending, phrase numbers) of the phrases without placeholders
    index_by_weight: dict[str, tuple[list[float], list[int]]] = field(default_factory=dict)
    slot_phrases_with: dict[str, list[int]] = field(default_factory=dict)  # word -> numbers
    exact: dict[tuple[str, ...], str] = field(default_factory=dict)  # a phrase's words: intent

    def words(self, text: str) -> list[str]:
        """Normalised and folded words ("what's" -> "what is", "one more time" -> "again").

        Folded until nothing changes (at most three times): "i'd like" -> "i would like" ->
        "i want".
        """
        said = normalize(text).split()
        for _ in range(3):
            folded = self._folded(said)
            if folded == said:
                break
            said = folded
        return said

    def _folded(self, said: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(said):
            longest = self.fold_starts.get(said[i], 0)
            for size in range(min(longest, len(said) - i), 0, -1):
                replacement = self.folds.get(tuple(said[i : i + size]))
                if replacement is not None:
                    out.extend(replacement)
                    i += size
                    break
            else:
                out.append(said[i])
                i += 1
        return out

    def weight(self, word: str) -> float:
        """How telling a word is; a word no phrase has tells of an answer, and weighs most."""
        found = self.weights.get(word)
        if found is not None:
            return found
        return 1.0 if word in self.slot_vocabulary else UNKNOWN_WEIGHT


def _read_list(raw: object, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"{where}: expected a list of phrases")
    return raw


def _as_mapping(raw: object, where: str) -> Mapping[str, object]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a JSON object")
    return raw


@cache
def compiled(locale: str) -> Recogniser:
    """A locale's recogniser, built from its content once per process."""
    data = _as_mapping(content_data(locale, "not_answers.json"), "not_answers.json")
    samples = _as_mapping(content_data(locale, "intent_samples.json"), "intent_samples.json")
    aside = _as_mapping(data.get("set_aside"), "not_answers.json: set_aside")
    folds_raw = _as_mapping(data.get("fold", {}), "not_answers.json: fold")
    folds = {
        tuple(normalize(k).split()): tuple(normalize(str(v)).split()) for k, v in folds_raw.items()
    }
    recogniser = Recogniser(
        locale=locale,
        phrases=[],
        folds=folds,
        sounds=frozenset(_read_list(aside.get("sounds", []), "set_aside.sounds")),
        politeness=frozenset(),
        leading=frozenset(),
        trailing=frozenset(),
        yes_no=frozenset(),
        slot_words={},
        stage_numbers={
            k: str(v)
            for k, v in _as_mapping(data.get("stage_numbers", {}), "stage_numbers").items()
        },
    )
    for fold in folds:
        recogniser.fold_starts[fold[0]] = max(recogniser.fold_starts.get(fold[0], 0), len(fold))
    for name in ("politeness", "leading", "trailing"):
        lists = _read_list(aside.get(name, []), f"set_aside.{name}")
        setattr(recogniser, name, frozenset(tuple(recogniser.words(p)) for p in lists))
    recogniser.yes_no = frozenset(
        tuple(recogniser.words(p)) for p in _read_list(data.get("yes_no", []), "yes_no")
    )
    slots = _as_mapping(data.get("slots", {}), "not_answers.json: slots")
    recogniser.slot_words = {
        name: frozenset(
            stem(w) for p in _read_list(words, f"slots.{name}") for w in recogniser.words(p)
        )
        for name, words in slots.items()
    }
    recogniser.slot_vocabulary = frozenset().union(*recogniser.slot_words.values())
    ignored = {
        (intent, sample)
        for intent, listed in _as_mapping(data.get("not_evidence", {}), "not_evidence").items()
        for sample in _read_list(listed, f"not_evidence.{intent}")
    }
    sources: list[tuple[str, str]] = [
        (intent, sample)
        for intent, listed in samples.items()
        if not intent.startswith("_")
        for sample in _read_list(listed, f"intent_samples.json: {intent}")
        if (intent, sample) not in ignored
    ]
    phrases = _as_mapping(data.get("phrases"), "not_answers.json: phrases")
    sources += [
        (intent, phrase)
        for intent, listed in phrases.items()
        for template in _read_list(listed, f"phrases.{intent}")
        for phrase in expand(template)
    ]
    seen: set[tuple[str, tuple[str, ...], tuple[str, ...]]] = set()
    for intent, text in dict.fromkeys(sources):
        phrase = _phrase(recogniser, intent, text)
        if phrase is not None:
            key = (intent, tuple(sorted(phrase.words.elements())), phrase.slots)
            if key in seen:
                continue  # the same words, folded: one is enough
            seen.add(key)
            unknown = [s for s in phrase.slots if s not in recogniser.slot_words]
            if unknown:
                raise ValueError(f"not_answers.json: no slot words for {unknown} ({text!r})")
            recogniser.phrases.append(phrase)
    _weigh(recogniser, locale)
    _index_by_weight(recogniser)
    return recogniser


_GROUP = re.compile(r"\(([^()\[\]]*)\)|\[([^()\[\]]*)\]")
MAX_EXPANSIONS = 1000  # of one template: a typo in the data should not build millions


def expand(template: str) -> list[str]:
    """Every phrase a template says, as in hassil: "(say|repeat) [the question] again" ->
    "say the question again", "say again", "repeat the question again", "repeat again"."""
    found = _GROUP.search(template)
    if found is None:
        return [" ".join(template.split())]
    options = found[1].split("|") if found[1] is not None else [*found[2].split("|"), ""]
    phrases: list[str] = []
    for option in options:
        phrases += expand(template[: found.start()] + option + template[found.end() :])
        if len(phrases) > MAX_EXPANSIONS:
            raise ValueError(f"not_answers.json: {template!r} says too many phrases")
    return phrases


def _phrase(recogniser: Recogniser, intent: str, text: str) -> Phrase | None:
    slots = [found[1] for token in text.split() if (found := _PLACEHOLDER.match(token))]
    literal = " ".join(t for t in text.split() if not _PLACEHOLDER.match(t))
    said = [Word(w, stem(w)) for w in recogniser.words(literal)]
    # Politeness goes ("please cancel our reminder"); the words that open or close a
    # request stay, since a phrase may be nothing else ("not now", "wait").
    kept = _set_aside(recogniser, said)[0] or said
    if not kept and not slots:
        return None
    return Phrase(intent, Counter(w.stem for w in kept), tuple(slots), text)


def _weigh(recogniser: Recogniser, locale: str) -> None:
    """Rare words weigh more: inverse document frequency, each intent's phrases one document
    and each question of the bank another; then the phrases are indexed by their words.

    The question bank stands for what answers talk about; a word that no phrase and no
    question uses ("dishes") weighs the most.
    """
    by_intent: dict[str, set[str]] = {}
    for phrase in recogniser.phrases:
        by_intent.setdefault(phrase.intent, set()).update(phrase.words)
    documents: list[set[str]] = list(by_intent.values())
    content = content_for(locale)
    for bank in content.questions.values():
        documents.extend({stem(w) for w in recogniser.words(q.text)} for q in bank)
    frequency: Counter[str] = Counter(w for document in documents for w in document)
    total = len(documents)
    scale = math.log(total + 1)
    # A word no phrase uses is never evidence of a non-answer, however common in questions
    # ("feel", "love"): it weighs the most.
    in_phrases = {word for words in by_intent.values() for word in words}
    recogniser.weights = {
        word: min(1.0, max(MIN_WEIGHT, math.log((total + 1) / (count + 1)) / scale))
        for word, count in frequency.items()
        if word in in_phrases
    }
    for number, phrase in enumerate(recogniser.phrases):
        if not phrase.slots:
            recogniser.exact.setdefault(_bag(phrase.words.elements()), phrase.intent)
        recogniser.phrase_words.append(frozenset(phrase.words))
        literal = sum(recogniser.weight(w) * n for w, n in phrase.words.items())
        recogniser.phrase_weights.append((literal, literal + SLOT_WEIGHT * len(phrase.slots)))
        for word in phrase.words:
            recogniser.index.setdefault(word, []).append(number)
            if phrase.slots:
                recogniser.slot_phrases_with.setdefault(word, []).append(number)
        for slot in phrase.slots:
            recogniser.slot_index.setdefault(slot, []).append(number)


def _index_by_weight(recogniser: Recogniser) -> None:
    for word, numbers in recogniser.index.items():
        plain = sorted(
            {
                (recogniser.phrase_weights[n][0], n)
                for n in numbers
                if not recogniser.phrases[n].slots
            }
        )
        recogniser.index_by_weight[word] = ([w for w, _ in plain], [n for _, n in plain])


def _set_aside(recogniser: Recogniser, words: list[Word]) -> tuple[list[Word], bool]:
    """The words without politeness and hesitation sounds, anywhere ("um can you please
    repeat that"); and whether a sound was heard."""
    sounded = False
    kept: list[Word] = []
    i = 0
    while i < len(words):
        if words[i].surface in recogniser.sounds:
            sounded, i = True, i + 1
            continue
        size = _phrase_at(recogniser.politeness, words, i)
        if size:
            i += size
            continue
        kept.append(words[i])
        i += 1
    return kept, sounded


def _trimmed(recogniser: Recogniser, words: list[Word]) -> list[list[Word]]:
    """What was said, and what is left as the words that only open ("well", "no", "i'd
    rather") or close ("then", "again", "mate") a request come off, one at a time from
    either end: each is scored, the best counts. The last is the barest."""
    variants = [words]
    opened = words
    while size := _phrase_at(recogniser.leading, opened, 0):
        opened = opened[size:]
        variants.append(opened)
    for start in list(variants):
        closed = start
        while size := _phrase_at(recogniser.trailing, closed, 0, from_end=True):
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


def _phrase_at(
    phrases: frozenset[tuple[str, ...]], words: list[Word], at: int, *, from_end: bool = False
) -> int:
    """How many words, from `at` (or ending at the end), make one of the phrases (0: none)."""
    for size in range(min(5, len(words) - at), 0, -1):
        part = words[len(words) - size :] if from_end else words[at : at + size]
        if tuple(w.surface for w in part) in phrases:
            return size
    return 0


def recognise(text: str, names: tuple[str, ...], content: Content) -> Heard | None:
    """What a supposed answer asks for instead, or None when it is an answer."""
    recogniser = compiled(content.locale)
    said = [Word(w, stem(w)) for w in recogniser.words(text)]
    if not said:
        return None
    whole = " ".join(w.surface for w in said)
    kept, sounded = _set_aside(recogniser, said)
    variants = _trimmed(recogniser, kept)
    if not kept:
        return Heard("Think", text=whole) if sounded else None  # "hmm", "um please"
    couple = _couple(recogniser, names)
    found = [m for v in variants if (m := _best(recogniser, v, couple, THRESHOLD)) is not None]
    best = max(found, key=lambda m: m.rank, default=None)
    if best is not None and best.score >= THRESHOLD:
        return Heard(best.intent, best.slots, whole, round(best.score, 3))
    pieces = next((p for v in variants if (p := _pieces(recogniser, v)) is not None), None)
    if pieces is not None:
        return Heard(pieces.intent, pieces.slots, whole, round(pieces.score, 3))
    ending = _ends_asking_again(recogniser, variants)
    if ending is not None:
        return Heard(ending.intent, ending.slots, whole, round(ending.score, 3))
    if _only_edges(recogniser, kept):
        return Heard("Think", text=whole)  # "well um", "wow okay", "right so"
    return None


def _ends_asking_again(recogniser: Recogniser, variants: list[list[Word]]) -> _Match | None:
    """A run-on that ends asking for the question again ("sorry i was miles away what was
    that"): the last words, at least RUN_ON_WORDS of them, are exactly such a phrase."""
    for words in variants:
        for size in range(min(len(words) - 1, MAX_PIECE_WORDS), RUN_ON_WORDS - 1, -1):
            intent = recogniser.exact.get(_bag(words[len(words) - size :]))
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
            intent = recogniser.exact.get(_bag(said[start:end]))
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


def _bag(words: Iterable[Word] | Iterable[str]) -> tuple[str, ...]:
    """A phrase's words in a fixed order, to look it up whatever order it was said in."""
    return tuple(sorted(w.stem if isinstance(w, Word) else w for w in words))
