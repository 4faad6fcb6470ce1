"""The safety encoder (skill.safety.encoder): our word pieces and numpy forward pass against
what PyTorch and the reference tokenizer gave when it was exported
(tests/data/safety_encoder_reference.json, written by stagewise_tools.safety_encoder export),
and that it loads with the first answer checked, never at cold start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from skill.safety.encoder import FOLDER, Pieces, encoder, words_of

REFERENCE = Path(__file__).parent / "data" / "safety_encoder_reference.json"
# The weights ship as 8-bit integers, PyTorch's reference is float32: on the reference rows
# the difference was at most 0.024 in p(danger) for the weights first shipped, and 0.059
# (0.30 in log-odds, on an answer at p 0.76) for those retrained after batches 45 and 46,
# whose steeper p moves more for the same rounding; 0.002 on average both times. A wrong
# forward pass misses by far more on many rows: hence a bound on the worst row and a
# tighter one on the average.
TOLERANCE = 0.07
MEAN_TOLERANCE = 0.01


def reference() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return rows


def test_the_reference_has_danger_and_ordinary_answers() -> None:
    """The reference rows straddle the line, so a wrong forward pass cannot agree by luck."""
    p = [float(str(r["p_danger"])) for r in reference()]
    assert len(p) >= 60
    assert sum(x >= 0.9 for x in p) >= 10
    assert sum(x <= 0.1 for x in p) >= 10


def test_word_pieces_are_the_reference_tokenizers() -> None:
    pieces = encoder().pieces
    wrong = [r["text"] for r in reference() if pieces.encode(str(r["text"])) != r["ids"]]
    assert wrong == []


def test_p_danger_is_pytorchs_within_the_8_bit_tolerance() -> None:
    reader = encoder()
    found = [
        (str(r["text"]), reader.danger(str(r["text"])), float(str(r["p_danger"])))
        for r in reference()
    ]
    off = [(text, round(p, 4), wanted) for text, p, wanted in found if abs(p - wanted) > TOLERANCE]
    assert off == []
    mean = sum(abs(p - wanted) for _, p, wanted in found) / len(found)
    assert mean <= MEAN_TOLERANCE


def test_words_as_bert_reads_them() -> None:
    """Lower case, accents stripped, punctuation its own word, control characters gone."""
    assert words_of("Zoë, JOSÉ!\u200b don't") == ["zoe", ",", "jose", "!", "don", "'", "t"]
    assert words_of("日本 ok") == ["日", "本", "ok"]


def test_a_word_the_vocabulary_cannot_piece_is_one_unknown() -> None:
    pieces = Pieces({"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "hug": 3, "##s": 4, "a": 5}, 96)
    assert pieces.encode("hugs") == [1, 3, 4, 2]
    assert pieces.encode("hugz a") == [1, 0, 5, 2]  # "##z" is not a piece: the word is unknown
    assert pieces.encode("a" * 101) == [1, 0, 2]  # longer than BERT reads a word


def test_a_long_answer_is_cut_at_the_encoders_length() -> None:
    reader = encoder()
    ids = reader.pieces.encode("we laughed all evening " * 200)
    settings = json.loads((FOLDER / "encoder.json").read_text(encoding="utf-8"))
    assert len(ids) == settings["max_tokens"]
    assert (ids[0], ids[-1]) == (reader.pieces.ids["[CLS]"], reader.pieces.ids["[SEP]"])
    assert 0.0 <= reader.danger("we laughed all evening " * 200) <= 1.0


@pytest.mark.parametrize("module", ["lambda_function", "skill.safety.check"])
def test_numpy_is_not_imported_at_cold_start(module: str) -> None:
    """The encoder (and numpy) load with the first answer checked, not with the Lambda entry."""
    root = Path(__file__).resolve().parents[1]
    code = f"import sys, {module}; print('numpy' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root / "lambda" if module == "lambda_function" else root,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert found.stdout.strip() == "False"


# Answers the check decides in different ways: rules, the averaged p(danger), or neither.
MIXED = [
    "i have started giving my things away so nobody has to sort them after",
    "he checks my phone every night and i am not allowed to see my sister",
    "we burned the garlic bread and laughed until we cried",
    "i'd die for your lasagna",
    "sometimes i think about walking into the sea and not coming back",
    "the kids go wild when he gets home and we all end up on the floor",
    "he said if i leave he'll miss me",  # the encoder flags it, the word model alone does not
]


@pytest.mark.parametrize("said", MIXED)
def test_the_check_averages_the_word_model_and_the_encoder(said: str) -> None:
    """What concern() decides is the rules and the model's settings applied to the average of
    the two p(danger), at the shipped share (the word model's in safety_model.json)."""
    from skill.content import content_for
    from skill.safety import concern
    from skill.safety.check import by_rules, prepare, rules_for
    from skill.safety.model import model_for

    model, rules = model_for("en-US"), rules_for("en-US")
    assert model.words_share < 1  # the encoder is in use
    prepared = prepare(said, rules)
    p = model.words_share * model.danger(prepared)[0]
    p += (1 - model.words_share) * encoder().danger(said)
    ruled = by_rules(prepared, rules) is not None
    words = len(prepared.split())
    expected = (ruled and p >= model.veto_at(words)) or (not ruled and p >= model.alone_at(words))
    assert (concern(said, content_for("en-US")) is not None) == expected


def test_a_fresh_batch_is_measured_with_the_check_as_shipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`safety_cv --fresh` (how a new batch is measured before tuning) weighs the encoder as
    the check does: it stops if its figures disagree with concern()."""
    from stagewise_tools.safety_cv import fresh

    batch = tmp_path / "fresh.tsv"
    rows = ["locale\tcategory\ttext", "# batch 1 (a test)"]
    rows += [f"en-US\t{'benign' if i % 2 else 'self_harm'}\t{text}" for i, text in enumerate(MIXED)]
    batch.write_text("\n".join(rows) + "\n", encoding="utf-8")
    fresh(batch)
    assert "rules + model:" in capsys.readouterr().out
