"""How well the safety check works on answers it was not tuned on: figures for SAFETY.md.

    python -m stagewise_tools.safety_cv             # leave-one-batch-out, the shipped settings
    python -m stagewise_tools.safety_cv --search    # ...and the (flag_at, veto_below) grid
    python -m stagewise_tools.safety_cv --sweep     # every feature and penalty setting tried
    python -m stagewise_tools.safety_cv --fresh tests/data/safety_fresh.tsv

Leave-one-batch-out: for each validation batch, the model is trained on the development
set and the other batches and measured on the left-out one. Three figures come of it:

- the model alone;
- the model with the rules as they stood **before** tuning on that batch
  (tests/data/safety_rules_before.json, stagewise_tools.safety_replay): honest, since
  neither half saw the batch; the word model's features and penalty are chosen here
  (`--sweep`); the shipped `flag_at` and `veto_below` are the encoder's blend's, chosen by
  stagewise_tools.safety_encoder, whose cross-validation uses this one's folds;
- the model with today's rules: optimistic, since today's rules were tuned on every batch.

The settings are chosen by the goal's own tolerances (at least 98 % caught, at most 1 %
flagged): the smallest `missed / 2 + flagged`, in percent, a point of false alarms
weighing as two of missed danger.

`--fresh` measures a set never trained or tuned on: today's rules alone, and with the
word model and the encoder as shipped (trained without it).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from skill.content import content_for
from skill.safety.check import averaged, by_rules, concern, prepare, rules_for
from skill.safety.model import FeatureSpec, Model, model_for
from stagewise_tools.safety_model import (
    SETTINGS,
    Row,
    Settings,
    prepared,
    read_rows,
    train,
    training_rows,
)
from stagewise_tools.safety_replay import REPLAYED

FLAG_AT = tuple(round(0.3 + 0.05 * i, 2) for i in range(14))  # 0.3 ... 0.95
VETO_BELOW = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3)


@dataclass(frozen=True)
class Figures:
    """% of danger caught and % of benign flagged, of how many."""

    caught: float
    danger: int
    flagged: float
    benign: int

    @property
    def shortfall(self) -> float:
        """Distance from the goal, a point flagged weighing as two missed."""
        return (100 - self.caught) / 2 + self.flagged

    def __str__(self) -> str:
        return (
            f"{self.caught:.1f} % of {self.danger} caught, "
            f"{self.flagged:.2f} % of {self.benign} flagged"
        )


def figures(flags: np.ndarray, danger: np.ndarray) -> Figures:
    """The figures of a set's verdicts (True: flagged)."""
    return Figures(
        100 * float(flags[danger].mean()),
        int(danger.sum()),
        100 * float(flags[~danger].mean()),
        int((~danger).sum()),
    )


def deciding(flag_at: float, veto: float) -> Model:
    """The check's thresholds with these two of the search: the shipped model's, whose short
    answers' settings are SETTINGS' (safety_model --check)."""
    return replace(model_for("en-US"), flag_at=flag_at, veto_below=veto)


def combined(
    verdicts: np.ndarray, p: np.ndarray, flag_at: float, veto: float, words: np.ndarray
) -> np.ndarray:
    """skill.safety.check.concern over arrays (Model.flags): a rule's match stands unless
    p(danger) is below `veto`; the model alone flags at `flag_at` in answers of `min_words`
    or more, and at `short_flag_at` in shorter ones."""
    return np.asarray(deciding(flag_at, veto).flags(verdicts != ".", p, words))


def alone(p: np.ndarray, flag_at: float, words: np.ndarray) -> np.ndarray:
    """Where the model alone flags, at `flag_at` and the shipped settings' short answers."""
    return np.asarray(p >= deciding(flag_at, 0.0).alone_at(words))


def word_counts(rows: Sequence[Row]) -> np.ndarray:
    """How many words each answer has, as the check reads it."""
    return np.array([len(prepare(r.text, rules_for(r.locale)).split()) for r in rows])


def rule_verdicts(rows: Sequence[Row]) -> np.ndarray:
    """Today's rules on each row: "." kept, "r" a rule, "s" signals together."""
    found = []
    for row in rows:
        rules = rules_for(row.locale)
        match = by_rules(prepare(row.text, rules), rules)
        found.append("." if match is None else "s" if " + " in match.rule else "r")
    return np.array(found)


def replayed_verdicts(rows: Sequence[Row]) -> np.ndarray:
    """The rules before tuning on each row's batch (development rows: ".", never measured)."""
    by_batch = {int(b): list(v) for b, v in json.loads(REPLAYED.read_text("utf-8")).items()}
    found = []
    for row in rows:
        found.append(by_batch[row.batch].pop(0) if row.batch in by_batch else ".")
    return np.array(found)


def out_of_fold(
    rows: list[Row], settings: Settings, fold: Callable[[int], int] = lambda batch: batch
) -> np.ndarray:
    """p(danger) of each validation row from a model trained without its fold: by default
    its batch (development rows: nan, and always trained on)."""
    texts = prepared(rows)
    folds = np.array([fold(r.batch) if r.batch > 0 else -1 for r in rows])
    p = np.full(len(rows), np.nan)
    for each in sorted(set(folds.tolist()) - {-1}):
        into = np.flatnonzero(folds != each)
        out = np.flatnonzero(folds == each)
        model = train([texts[i] for i in into], [rows[i].category for i in into], settings)
        p[out] = model.danger([texts[i] for i in out])[0]
    return p


# The settings tried, by name (SAFETY.md has their figures); SETTINGS is the one chosen.
_PAIRS = FeatureSpec(skip=True, negation=2)  # words, pairs, pairs one word apart
_STEMS = FeatureSpec(skip=True, negation=2, stem=4)  # ...and words cut to four letters
SWEEP = {
    "pairs, 1e-3": Settings(spec=_PAIRS, penalty=1e-3),
    "pairs, 1e-4": Settings(spec=_PAIRS, penalty=1e-4),
    "pairs, 3e-5": Settings(spec=_PAIRS, penalty=3e-5),
    "pairs, 1e-5": Settings(spec=_PAIRS, penalty=1e-5),
    "pairs, 3e-6": Settings(spec=_PAIRS, penalty=3e-6),
    "pairs, 1e-5, 12,000 kept": Settings(spec=_PAIRS, penalty=1e-5, keep=12000),
    "pairs, stems of 5, 1e-5": Settings(spec=FeatureSpec(True, 2, stem=5), penalty=1e-5),
    "pairs, stems, 1e-5": Settings(spec=_STEMS, penalty=1e-5),
    "pairs, stems, 3e-6": Settings(spec=_STEMS, penalty=3e-6),
    "pairs, stems, 1e-6": Settings(spec=_STEMS, penalty=1e-6),
    "pairs, stems, no negation, 1e-5": Settings(spec=FeatureSpec(True, 0, stem=4), penalty=1e-5),
    "pairs, stems, 1e-5, 4,000 kept": Settings(spec=_STEMS, penalty=1e-5, keep=4000),
    "pairs, stems, edges, 3e-6": Settings(spec=FeatureSpec(True, 2, True, 4), penalty=3e-6),
    "stems, no skips, 1e-5": Settings(spec=FeatureSpec(negation=2, stem=4), penalty=1e-5),
    "stems, no skips, 3e-6 (chosen)": SETTINGS,
    "stems, no skips, 1e-6": Settings(spec=FeatureSpec(negation=2, stem=4), penalty=1e-6),
    "stems, no skips, negation 5": Settings(spec=FeatureSpec(negation=5, stem=4)),
    "stems, no skips, negation 9": Settings(spec=FeatureSpec(negation=9, stem=4)),
}


@dataclass(frozen=True)
class Held:
    """The validation rows' out-of-fold p(danger), with what else the figures need."""

    p: np.ndarray
    danger: np.ndarray
    batches: np.ndarray
    words: np.ndarray
    before: np.ndarray  # the rules before tuning on each batch
    today: np.ndarray  # today's rules

    @classmethod
    def of(cls, settings: Settings, fold: Callable[[int], int] = lambda batch: batch) -> Held:
        rows = training_rows()
        held = np.array([r.batch > 0 for r in rows])
        return cls(
            p=out_of_fold(rows, settings, fold)[held],
            danger=np.array([r.danger for r in rows])[held],
            batches=np.array([r.batch for r in rows])[held],
            words=word_counts(rows)[held],
            before=replayed_verdicts(rows)[held],
            today=rule_verdicts(rows)[held],
        )

    def where(self, keep: np.ndarray) -> Held:
        """Only the rows `keep` marks."""
        return Held(*(getattr(self, f.name)[keep] for f in fields(self)))

    def search(self) -> list[tuple[Figures, float, float]]:
        """Every (flag_at, veto_below) of the grid with the rules before tuning, best first."""
        found = [
            (figures(combined(self.before, self.p, t, v, self.words), self.danger), t, v)
            for t in FLAG_AT
            for v in VETO_BELOW
            if v < t
        ]
        return sorted(found, key=lambda each: (round(each[0].shortfall, 6), -each[1], each[2]))

    def model_alone(self, flag_at: float) -> np.ndarray:
        return alone(self.p, flag_at, self.words)


def report(settings: Settings, grid: bool) -> None:
    """Leave-one-batch-out figures, by batch and in all."""
    held = Held.of(settings)
    t, v = settings.flag_at, settings.veto_below
    lines = {
        "model alone": held.model_alone(t),
        "rules before tuning": held.before != ".",
        "rules before tuning + model": combined(held.before, held.p, t, v, held.words),
        "today's rules (tuned on every batch)": held.today != ".",
        "today's rules + model (optimistic)": combined(held.today, held.p, t, v, held.words),
    }
    print(f"leave-one-batch-out, flag_at {t}, veto_below {v}, the word model alone")
    print("  (the shipped check averages in the encoder: python -m stagewise_tools.safety_encoder")
    print("  cv and choose give its figures)")
    for name, flags in lines.items():
        print(f"  {name}: {figures(flags, held.danger)}")
        mine = [held.batches == b for b in sorted(set(held.batches.tolist()))]
        each = [figures(flags[m], held.danger[m]) for m in mine]
        print("    caught  " + " ".join(f"{f.caught:5.1f}" for f in each))
        print("    flagged " + " ".join(f"{f.flagged:5.2f}" for f in each))
    if grid:
        print("the grid, rules before tuning + model, best first:")
        for found, flag_at, veto in held.search()[:12]:
            print(f"  flag_at {flag_at} veto_below {veto}: {found} ({found.shortfall:.2f})")


def sweep() -> None:
    """Each setting tried: the model alone at its best flag_at, and with the rules before
    tuning at the best (flag_at, veto_below); by the goal's shortfall."""
    for name, settings in SWEEP.items():
        held = Held.of(settings)
        alone = min(
            ((figures(held.model_alone(t), held.danger), t) for t in FLAG_AT),
            key=lambda each: each[0].shortfall,
        )
        best, t, v = held.search()[0]
        print(f"{name}: alone at {alone[1]}: {alone[0]} ({alone[0].shortfall:.2f}); ", end="")
        print(f"with rules at {t}, {v}: {best} ({best.shortfall:.2f})", flush=True)


def fresh(path: Path) -> None:
    """Today's rules alone and with the shipped model (the word model and the encoder,
    averaged), on a set never tuned on, by batch."""
    rows = read_rows(path, first_batch=-1)
    model = model_for("en-US")
    p = np.array(
        [
            averaged(model, model.danger(prepare(r.text, rules_for(r.locale)))[0], r.text)
            for r in rows
        ]
    )
    verdicts, words = rule_verdicts(rows), word_counts(rows)
    danger = np.array([r.danger for r in rows])
    batches = np.array([r.batch for r in rows])
    flags = {
        "rules alone": verdicts != ".",
        "rules + model": np.asarray(model.flags(verdicts != ".", p, words)),
        "model alone": np.asarray(p >= model.alone_at(words)),
    }
    checked = np.array([concern(r.text, content_for(r.locale)) is not None for r in rows])
    if (checked != flags["rules + model"]).any():
        raise RuntimeError("the arrays disagree with skill.safety.concern")
    for name, each in flags.items():
        print(f"{name}: {figures(each, danger)}")
        for batch in sorted(set(batches.tolist())):
            mine = batches == batch
            print(f"  batch {batch}: {figures(each[mine], danger[mine])}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="print the settings grid too")
    parser.add_argument("--sweep", action="store_true", help="every setting tried (slow)")
    parser.add_argument("--fresh", type=Path, help="measure a set never tuned on")
    args = parser.parse_args(argv)
    if args.fresh:
        fresh(args.fresh)
    elif args.sweep:
        sweep()
    else:
        report(SETTINGS, args.search)
    return 0


if __name__ == "__main__":
    sys.exit(main())
