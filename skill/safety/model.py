"""The learned half of the check: a small logistic regression over an answer's words, as data.

The phrase rules catch what someone wrote down; this catches what is said like it. It reads
the answer as skill.safety.check prepares it, turns it into features (its words, the pairs
of words side by side and, as its `features` say, pairs one word apart and words after a
negation marked), and adds up each feature's weights for the three kinds of danger against
a benign answer, scaled by one over the square root of how many features it knows (a
multinomial logistic regression with benign as the reference class).
`stagewise_tools.safety_model` trains it from the development and validation sets and
writes it to the locale's `safety_model.json`; SAFETY.md says how it was chosen and how
well it works.

It is loaded with the first answer that is checked, never at cold start, and takes tens of
microseconds an answer: a dictionary look-up a feature, no numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from skill.content import content_data, json_list, json_object
from skill.safety.patterns import NAME_TOKEN, NEGATORS

MODEL_FILE = "safety_model.json"
NAME_READS_AS = "he"  # a couple's first name reads as a partner ("@name hits me": "he hits me")
SCALE = 1000  # weights are stored as integers, thousandths
NEVER = 2.0  # a threshold no p(danger) reaches


@dataclass(frozen=True)
class FeatureSpec:
    """Which features an answer is read as (chosen by cross-validation, stored with the
    weights so that training and the runtime read an answer the same way)."""

    skip: bool = False  # pairs one word apart: "hit _ me" from "hit him me"... "hits her me"
    negation: int = 0  # words after "not", "never", "no" read as "!word", up to this many
    edges: bool = False  # the answer's first and last words marked: "^ help", "help $"
    stem: int = 0  # also each word cut to this many letters, alone and in pairs ("hitt~")

    @classmethod
    def of(cls, raw: dict[str, Any]) -> FeatureSpec:
        return cls(
            skip=bool(raw.get("skip", False)),
            negation=int(raw.get("negation", 0)),
            edges=bool(raw.get("edges", False)),
            stem=int(raw.get("stem", 0)),
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "skip": self.skip,
            "negation": self.negation,
            "edges": self.edges,
            "stem": self.stem,
        }


def features(said: str, spec: FeatureSpec) -> set[str]:
    """The features of an answer prepared as the rules read it (" word word ... ")."""
    words = [NAME_READS_AS if w == NAME_TOKEN else w for w in said.split()]
    if spec.negation:
        after = 0
        for i, word in enumerate(words):
            if word in NEGATORS:
                after = spec.negation
            elif after:
                words[i], after = f"!{word}", after - 1
    found = set(words)
    found.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    if spec.skip:
        found.update(f"{a} _ {b}" for a, b in zip(words, words[2:], strict=False))
    if spec.stem:
        stems = [f"{w[: spec.stem]}~" if len(w) > spec.stem else w for w in words]
        found.update(stems)
        found.update(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False))
    if spec.edges and words:
        found.update((f"^ {words[0]}", f"{words[-1]} $"))
    return found


@dataclass(frozen=True)
class Model:
    """One locale's model: per feature, a weight for each kind of danger against benign."""

    categories: tuple[str, ...]  # the danger classes, in the order of each weight list
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    spec: FeatureSpec
    flag_at: float  # flags an answer no rule matched at this p(danger) or above
    veto_below: float  # below this p(danger), a rule's match does not stand (0: never)
    min_words: int  # a shorter answer is flagged by the model alone only at `short_flag_at`
    words_share: float  # this model's share of p(danger); the encoder's is the rest (1: none)
    short_flag_at: float  # flags a short answer no rule matched at this p(danger) (above 1: never)
    short_veto_below: float  # as veto_below, for an answer under `min_words` (0: a rule stands)

    def alone_at(self, words: Any) -> Any:
        """The p(danger) at which the model alone flags an answer of `words` words (no rule
        matched): `flag_at`, or `short_flag_at` under `min_words`. `words` may be a numpy
        array of word counts (the tools weigh whole sets at once)."""
        return (words >= self.min_words) * self.flag_at + (
            words < self.min_words
        ) * self.short_flag_at

    def veto_at(self, words: Any) -> Any:
        """Below this p(danger) a rule's match in an answer of `words` words does not stand:
        `veto_below`, or `short_veto_below` under `min_words` (numpy arrays too)."""
        return (words >= self.min_words) * self.veto_below + (
            words < self.min_words
        ) * self.short_veto_below

    def flags(self, ruled: Any, p_danger: Any, words: Any) -> Any:
        """What the check decides from a rule's verdict (`ruled`: a rule matched) and
        p(danger): a match stands unless p(danger) is below `veto_at`; without one, the
        model alone flags at `alone_at` (a match stands there too: `veto_at` is never
        above it). Numbers or numpy arrays, for concern() and the tools alike."""
        return (ruled & (p_danger >= self.veto_at(words))) | (p_danger >= self.alone_at(words))

    def __post_init__(self) -> None:
        if self.veto_below > self.flag_at or self.short_veto_below > self.short_flag_at:
            raise ValueError(f"{MODEL_FILE}: a veto above the model's own flag")

    def danger(self, said: str) -> tuple[float, str]:
        """p(danger) of a prepared answer, and the most likely kind of danger."""
        sums = [0.0] * len(self.bias)
        known = 0
        for feature in features(said, self.spec):
            weights = self.weights.get(feature)
            if weights is not None:
                known += 1
                for k, weight in enumerate(weights):
                    sums[k] += weight
        scale = 1 / math.sqrt(known) if known else 0.0  # each answer's features: unit length
        scores = [b + s * scale for b, s in zip(self.bias, sums, strict=True)]
        top = max(0.0, *scores)  # benign scores 0: the reference class
        exps = [math.exp(s - top) for s in scores]
        total = math.exp(-top) + sum(exps)
        best = max(range(len(scores)), key=scores.__getitem__)
        return sum(exps) / total, self.categories[best]

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Model:
        """A model from its JSON (weights in thousandths)."""
        categories = tuple(str(c) for c in json_list(raw["categories"], MODEL_FILE))
        width = len(categories)
        weights: dict[str, tuple[float, ...]] = {}
        for feature, each in json_object(raw["weights"], f"{MODEL_FILE}: weights").items():
            values = tuple(int(v) / SCALE for v in json_list(each, MODEL_FILE))
            if len(values) != width:
                raise ValueError(f"{MODEL_FILE}: {feature!r} has {len(values)} weights")
            weights[str(feature)] = values
        bias = tuple(float(b) for b in json_list(raw["bias"], MODEL_FILE))
        if len(bias) != width:
            raise ValueError(f"{MODEL_FILE}: bias has {len(bias)} values, not {width}")
        spec = FeatureSpec.of(json_object(raw["features"], f"{MODEL_FILE}: features"))
        return cls(
            categories=categories,
            bias=bias,
            weights=weights,
            spec=spec,
            flag_at=float(raw["flag_at"]),
            veto_below=float(raw.get("veto_below", 0.0)),
            min_words=int(raw.get("min_words", 1)),
            words_share=float(raw.get("words_share", 1.0)),
            short_flag_at=float(raw.get("short_flag_at", NEVER)),
            short_veto_below=float(raw.get("short_veto_below", raw.get("veto_below", 0.0))),
        )


@cache
def model_for(locale: str) -> Model:
    """A locale's model, read once for the life of the process (with the first answer)."""
    return Model.of(json_object(content_data(locale, MODEL_FILE), MODEL_FILE))
