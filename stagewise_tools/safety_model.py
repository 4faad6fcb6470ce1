"""Train the safety check's learned half (skill.safety.model) from our own sets, deterministically.

    python -m stagewise_tools.safety_model            # retrain and write safety_model.json
    python -m stagewise_tools.safety_model --check    # exit 1 if the shipped file differs

It reads tests/data/safety_dev.tsv and tests/data/safety_validation.tsv (each row an answer
as Alexa hands it over: locale, category, text; "benign" rows are ordinary answers) and
every question of the bank (a benign answer: partners say the question back) and every
phrase said instead of an answer (skill.not_answers' data: "pass", "I'm stumped") as
skill.safety.check prepares them, and fits a multinomial logistic regression (benign,
self_harm, violence, help) with an L2 penalty by full-batch Adam from zeros: no randomness,
so the same data gives the same file. The features are pruned to the strongest `KEEP` and
the model refitted on them. Every setting here (`SETTINGS`) was chosen by leave-one-batch-out
cross-validation (stagewise_tools.safety_cv), never by the held-out set.

numpy is a dev dependency: the runtime reads the JSON in pure Python.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skill.content import PUBLISHED_LOCALES, content_data, content_for
from skill.content import ROOT as CONTENT_ROOT
from skill.not_answers import expand
from skill.safety.check import CATEGORIES, prepare, rules_for
from skill.safety.model import MODEL_FILE, SCALE, FeatureSpec, features

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
DEV_SET = DATA / "safety_dev.tsv"
VALIDATION_SET = DATA / "safety_validation.tsv"
SHIPPED = CONTENT_ROOT / "en-US" / MODEL_FILE
INTENT_SAMPLES = "intent_samples.json"
CLASSES = ("benign", *CATEGORIES)  # benign is the reference class, weight 0


@dataclass(frozen=True)
class Settings:
    """What training takes (SAFETY.md: chosen by cross-validation)."""

    spec: FeatureSpec = field(default_factory=lambda: FeatureSpec(negation=2, stem=4))
    penalty: float = 3e-6  # L2, on the mean loss
    min_count: int = 2  # a feature seen in fewer answers is left out
    keep: int = 6000  # features kept after pruning
    steps: int = 400
    rate: float = 0.05
    # With the encoder: chosen by stagewise_tools.safety_encoder's cv and choose (SAFETY.md);
    # the word model alone was at 0.5 and 0.1 (safety_cv --search).
    flag_at: float = 0.5
    veto_below: float = 0.2
    min_words: int = 5  # a shorter answer is flagged by the model alone only at short_flag_at
    words_share: float = 0.5  # the word model's share of p(danger), the encoder's the rest
    # Chosen on held-out sets 1-18, the first with enough short ordinary answers to count
    # (2,012 of under five words; SAFETY.md), and read once on set 19 afterwards.
    short_flag_at: float = 0.95
    # A short answer gives the readers too little to overrule a rule: chosen on the short
    # batch 51 and held-out sets 1-18 (SAFETY.md).
    short_veto_below: float = 0.0


SETTINGS = Settings()


@dataclass(frozen=True)
class Row:
    batch: int  # 0: the development set; 1...: the validation batch ("# batch N" lines)
    locale: str
    category: str
    text: str
    names: tuple[str, ...] = ()  # the couple's first names in it, read as the check reads them

    @property
    def danger(self) -> bool:
        return self.category != "benign"


def read_rows(path: Path, first_batch: int = 0) -> list[Row]:
    """A set's rows; a "# batch N" line starts batch N (a set without them is one batch)."""
    rows: list[Row] = []
    batch = first_batch
    with path.open(encoding="utf-8", newline="") as handle:
        lines = list(handle)
    header, body = lines[0], lines[1:]
    for line in body:
        if line.startswith("# batch "):
            batch = int(line.split()[2])
            continue
        if line.startswith("#") or not line.strip():
            continue
        record = next(csv.DictReader([header, line], delimiter="\t", quoting=csv.QUOTE_NONE))
        rows.append(Row(batch, record["locale"], record["category"], record["text"]))
    return rows


def bank_rows() -> list[Row]:
    """Every question of every locale's bank, as a benign answer (batch 0): partners answer
    by saying the question back ("what makes me feel safe is..."), and none may be flagged."""
    found: dict[str, Row] = {}
    for locale in PUBLISHED_LOCALES:
        for stage in content_for(locale).questions.values():
            for question in stage:
                found.setdefault(question.text, Row(0, locale, "benign", question.text))
    return list(found.values())


# What a not-answer's {slot} is said as (here as training data, in tests/test_not_answers.py
# when a phrase is said in a test).
SAID_FOR = {
    "name": "alex",
    "first_name": "jo",
    "second_name": "zara",
    "stage_number": "three",
    "period": "last week",
    "day": "sunday",
    "time": "eight pm",
}


# The couple's names in those phrases: the check reads a known name as "he" (skill.safety.model),
# so "tell me what alex said" is trained as the check will read it, "tell me what he said".
NAMES_SAID = tuple(SAID_FOR[slot] for slot in ("name", "first_name", "second_name"))


def not_answer_rows() -> list[Row]:
    """Every phrase said instead of an answer ("skip this one", "I'm stumped"; batch 0):
    the not-answer recogniser's data (skill.not_answers), which safety must never flag."""
    found: dict[str, Row] = {}
    for locale in PUBLISHED_LOCALES:
        data, samples = (content_data(locale, f) for f in ("not_answers.json", INTENT_SAMPLES))
        if not isinstance(data, dict) or not isinstance(samples, dict):
            raise ValueError(f"{locale}: not_answers.json or {INTENT_SAMPLES} is not an object")
        ignored = {(i, s) for i, listed in data["not_evidence"].items() for s in listed}
        phrases = [
            sample
            for intent, listed in samples.items()
            if not intent.startswith("_")
            for sample in listed
            if (intent, sample) not in ignored
        ]
        phrases += [p for listed in data["phrases"].values() for t in listed for p in expand(t)]
        for phrase in phrases:
            said = re.sub(r"\{(\w+)\}", lambda m: SAID_FOR[m[1]], phrase)
            found.setdefault(said, Row(0, locale, "benign", said, NAMES_SAID))
    return list(found.values())


def training_rows() -> list[Row]:
    """The development set, the bank's questions and the not-answers (batch 0), then the
    validation batches."""
    return (
        read_rows(DEV_SET)
        + bank_rows()
        + not_answer_rows()
        + read_rows(VALIDATION_SET, first_batch=1)
    )


def prepared(rows: list[Row]) -> list[str]:
    """Each answer as the check reads it (our sets have no couple; the not-answers name one)."""
    return [prepare(r.text, rules_for(r.locale), r.names) for r in rows]


class Matrix:
    """Answers as sparse binary feature rows, each scaled to unit length."""

    def __init__(self, texts: list[str], vocabulary: dict[str, int], spec: FeatureSpec):
        rows, cols = [], []
        for i, said in enumerate(texts):
            found = sorted(vocabulary[f] for f in features(said, spec) if f in vocabulary)
            rows += [i] * len(found)
            cols += found
        self.n, self.width = len(texts), len(vocabulary)
        self.rows = np.array(rows, dtype=np.int64)
        self.cols = np.array(cols, dtype=np.int64)
        counts = np.bincount(self.rows, minlength=self.n).astype(np.float64)
        self.values = 1.0 / np.sqrt(np.maximum(counts, 1.0))[self.rows]

    def times(self, weights: np.ndarray) -> np.ndarray:
        """X @ W, shape (answers, classes)."""
        contributions = weights[self.cols] * self.values[:, None]
        return np.stack(
            [np.bincount(self.rows, contributions[:, k], self.n) for k in range(weights.shape[1])],
            axis=1,
        )

    def transposed_times(self, gradient: np.ndarray) -> np.ndarray:
        """X.T @ G, shape (features, classes)."""
        contributions = gradient[self.rows] * self.values[:, None]
        return np.stack(
            [
                np.bincount(self.cols, contributions[:, k], self.width)
                for k in range(gradient.shape[1])
            ],
            axis=1,
        )


def vocabulary_of(texts: list[str], spec: FeatureSpec, min_count: int) -> dict[str, int]:
    """Features seen in at least `min_count` answers, in a fixed (sorted) order."""
    counts: dict[str, int] = {}
    for said in texts:
        for feature in features(said, spec):
            counts[feature] = counts.get(feature, 0) + 1
    return {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}


def fit(matrix: Matrix, labels: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features x danger classes) and biases against benign: L2 logistic
    regression by full-batch Adam from zeros (deterministic)."""
    k = len(CLASSES)
    targets = np.eye(k)[labels]
    weights, bias = np.zeros((matrix.width, k)), np.zeros(k)
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros(k), np.zeros(k)]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, settings.steps + 1):
        scores = matrix.times(weights) + bias
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - targets) / matrix.n
        grads = (matrix.transposed_times(error) + settings.penalty * weights, error.sum(axis=0))
        for j, (param, grad) in enumerate(zip((weights, bias), grads, strict=True)):
            first, second = moments[2 * j], moments[2 * j + 1]
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            unbiased = first / (1 - beta1**step)
            param -= settings.rate * unbiased / (np.sqrt(second / (1 - beta2**step)) + eps)
    # Against benign: softmax is unchanged when one feature's weights all shift alike.
    return weights[:, 1:] - weights[:, :1], bias[1:] - bias[0]


@dataclass
class Trained:
    """A fitted model as numpy arrays, before it is written as JSON."""

    vocabulary: dict[str, int]
    weights: np.ndarray  # features x danger classes, against benign
    bias: np.ndarray
    spec: FeatureSpec

    def danger(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """p(danger) of each prepared answer and its likeliest danger class (0...)."""
        scores = Matrix(texts, self.vocabulary, self.spec).times(self.weights) + self.bias
        full = np.concatenate([np.zeros((len(texts), 1)), scores], axis=1)
        full -= full.max(axis=1, keepdims=True)
        probabilities = np.exp(full)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        return 1 - probabilities[:, 0], probabilities[:, 1:].argmax(axis=1)


def train(texts: list[str], categories: list[str], settings: Settings = SETTINGS) -> Trained:
    """Fit on all features, keep the strongest `keep`, and fit again on those alone."""
    labels = np.array([CLASSES.index(c) for c in categories])
    vocabulary = vocabulary_of(texts, settings.spec, settings.min_count)
    weights, _ = fit(Matrix(texts, vocabulary, settings.spec), labels, settings)
    strength = np.abs(weights).max(axis=1)
    strongest = sorted(np.argsort(-strength, kind="stable")[: settings.keep].tolist())
    names = sorted(vocabulary, key=vocabulary.__getitem__)
    kept = {names[i]: j for j, i in enumerate(strongest)}
    weights, bias = fit(Matrix(texts, kept, settings.spec), labels, settings)
    return Trained(kept, weights, bias, settings.spec)


def as_json(trained: Trained, settings: Settings = SETTINGS) -> dict[str, object]:
    """The shipped form: weights in thousandths, features sorted (all of them: an answer's
    sum is scaled by how many of its features the model knows, as in training)."""
    rounded = np.rint(trained.weights * SCALE).astype(np.int64)
    return {
        "_about": "skill/safety/model.py; trained by python -m stagewise_tools.safety_model",
        "categories": list(CATEGORIES),
        "features": trained.spec.to_dict(),
        "flag_at": settings.flag_at,
        "veto_below": settings.veto_below,
        "min_words": settings.min_words,
        "words_share": settings.words_share,
        "short_flag_at": settings.short_flag_at,
        "short_veto_below": settings.short_veto_below,
        "bias": [round(float(b), 4) for b in trained.bias],
        "weights": {
            feature: rounded[i].tolist() for feature, i in sorted(trained.vocabulary.items())
        },
    }


def shipped_text(settings: Settings = SETTINGS) -> str:
    """The model file as training writes it today."""
    rows = training_rows()
    trained = train(prepared(rows), [r.category for r in rows], settings)
    return json.dumps(as_json(trained, settings), separators=(",", ":"), sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = shipped_text()
    if args.check:
        same = SHIPPED.is_file() and SHIPPED.read_text(encoding="utf-8") == text
        print(f"{SHIPPED}: {'as trained' if same else 'differs from training'}")
        return 0 if same else 1
    SHIPPED.write_text(text, encoding="utf-8")
    print(f"{SHIPPED}: {len(text.encode()) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
