"""The phrase book: a locale's phrases that are not answers, loaded once and weighed.

The phrases come from content: every sample of every intent that is not the answer
(intent_samples.json, generated from the interaction model) and what the model has no
samples of (not_answers.json). Here they are read, expanded from their templates, folded
("what's" -> "what is"), stripped of politeness, weighed (rare words weigh more) and indexed
by their words, so that matching (skill.not_answers.matching) is a few lookups.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from skill.content import content_data, content_for, json_object

SLOT_WEIGHT = 0.5  # what a placeholder ({stage_number}, {name}) weighs in its phrase
MIN_WEIGHT = 0.25  # the commonest words ("you", "the") still count
UNKNOWN_WEIGHT = 2.0  # a word no phrase has ("careers", "paris"): what answers are made of
_PLACEHOLDER = re.compile(r"^\{(\w+)\}(?:'s)?$")  # "{name}'s turn" too


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
    contractions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "didn't"

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

    def plain_words(self, text: str) -> list[str]:
        """Normalised words with only contractions spelt out ("that's" -> "that is"): the
        other folds ("read" -> "say") are for similarity, not for reading words in order."""
        return [
            part
            for word in normalize(text).split()
            for part in self.contractions.get(word, (word,))
        ]

    def weight(self, word: str) -> float:
        """How telling a word is; a word no phrase has tells of an answer, and weighs most."""
        found = self.weights.get(word)
        if found is not None:
            return found
        return 1.0 if word in self.slot_vocabulary else UNKNOWN_WEIGHT


def read_list(raw: object, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"{where}: expected a list of phrases")
    return raw


@cache
def compiled(locale: str) -> Recogniser:
    """A locale's recogniser, built from its content once per process."""
    data = json_object(content_data(locale, "not_answers.json"), "not_answers.json")
    samples = json_object(content_data(locale, "intent_samples.json"), "intent_samples.json")
    aside = json_object(data.get("set_aside"), "not_answers.json: set_aside")
    folds_raw = json_object(data.get("fold", {}), "not_answers.json: fold")
    folds = {
        tuple(normalize(k).split()): tuple(normalize(str(v)).split()) for k, v in folds_raw.items()
    }
    recogniser = Recogniser(
        locale=locale,
        phrases=[],
        folds=folds,
        sounds=frozenset(read_list(aside.get("sounds", []), "set_aside.sounds")),
        politeness=frozenset(),
        leading=frozenset(),
        trailing=frozenset(),
        yes_no=frozenset(),
        slot_words={},
        stage_numbers={
            k: str(v)
            for k, v in json_object(data.get("stage_numbers", {}), "stage_numbers").items()
        },
    )
    for fold in folds:
        recogniser.fold_starts[fold[0]] = max(recogniser.fold_starts.get(fold[0], 0), len(fold))
    for name in ("politeness", "leading", "trailing"):
        lists = read_list(aside.get(name, []), f"set_aside.{name}")
        setattr(recogniser, name, frozenset(tuple(recogniser.words(p)) for p in lists))
    recogniser.yes_no = frozenset(
        tuple(recogniser.words(p)) for p in read_list(data.get("yes_no", []), "yes_no")
    )
    recogniser.contractions = {
        fold[0]: folded for fold, folded in folds.items() if len(fold) == 1 and "'" in fold[0]
    }
    slots = json_object(data.get("slots", {}), "not_answers.json: slots")
    recogniser.slot_words = {
        name: frozenset(
            stem(w) for p in read_list(words, f"slots.{name}") for w in recogniser.words(p)
        )
        for name, words in slots.items()
    }
    recogniser.slot_vocabulary = frozenset().union(*recogniser.slot_words.values())
    ignored = {
        (intent, sample)
        for intent, listed in json_object(data.get("not_evidence", {}), "not_evidence").items()
        for sample in read_list(listed, f"not_evidence.{intent}")
    }
    sources: list[tuple[str, str]] = [
        (intent, sample)
        for intent, listed in samples.items()
        if not intent.startswith("_")
        for sample in read_list(listed, f"intent_samples.json: {intent}")
        if (intent, sample) not in ignored
    ]
    phrases = json_object(data.get("phrases"), "not_answers.json: phrases")
    sources += [
        (intent, phrase)
        for intent, listed in phrases.items()
        for template in read_list(listed, f"phrases.{intent}")
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
    kept = set_aside(recogniser, said)[0] or said
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
            recogniser.exact.setdefault(bag(phrase.words.elements()), phrase.intent)
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


def set_aside(recogniser: Recogniser, words: list[Word]) -> tuple[list[Word], bool]:
    """The words without politeness and hesitation sounds, anywhere ("um can you please
    repeat that"); and whether a sound was heard."""
    sounded = False
    kept: list[Word] = []
    i = 0
    while i < len(words):
        if words[i].surface in recogniser.sounds:
            sounded, i = True, i + 1
            continue
        size = phrase_at(recogniser.politeness, words, i)
        if size:
            i += size
            continue
        kept.append(words[i])
        i += 1
    return kept, sounded


def phrase_at(
    phrases: frozenset[tuple[str, ...]], words: list[Word], at: int, *, from_end: bool = False
) -> int:
    """How many words, from `at` (or ending at the end), make one of the phrases (0: none)."""
    for size in range(min(5, len(words) - at), 0, -1):
        part = words[len(words) - size :] if from_end else words[at : at + size]
        if tuple(w.surface for w in part) in phrases:
            return size
    return 0


def bag(words: Iterable[Word] | Iterable[str]) -> tuple[str, ...]:
    """A phrase's words in a fixed order, to look it up whatever order it was said in."""
    return tuple(sorted(w.stem if isinstance(w, Word) else w for w in words))
