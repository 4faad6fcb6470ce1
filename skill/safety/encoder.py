"""The second learned reader of an answer: a small transformer fine-tuned to tell danger.

The word model (skill.safety.model) weighs words and pairs of words; it cannot tell "a holiday
where I don't come back sunburnt" from "one where I don't come back". This reads the whole
sentence: all-MiniLM-L6-v2 (six layers, 384 wide; Apache-2.0, see encoder_data/NOTICE), fine-tuned
by `stagewise_tools.safety_encoder` on the development and validation sets to give
p(danger), which the check averages with the word model's (skill.safety.check; SAFETY.md
says how it was chosen and how well it works).

Its files are in `encoder_data/`: the base model's word pieces (`vocab.txt`), the weights
(`weights.npz`: each matrix as 8-bit integers with one scale per row, the rest as float32)
and `encoder.json`. The tokenizer and the forward pass below are ours, in plain numpy: BERT's
uncased word pieces, a BERT encoder, the mean of its last layer over the answer's tokens, and
a two-way linear head. (The `tokenizers` library would bring huggingface-hub and its own
dependencies into the Lambda bundle; tests/test_safety_encoder.py holds ours to its token ids
and to PyTorch's p(danger), recorded when the encoder was exported.) It is loaded with the
first answer that is checked, never at cold start, and reads nothing but the answer.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

# One answer's matrices are a few dozen rows: BLAS threads cost more than they save, and on a
# busy machine (or a Lambda with a fraction of a core) they multiply a check's time tenfold.
# Read when numpy is first imported, which in a turn is here.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

FOLDER = Path(__file__).parent / "encoder_data"
SETTINGS_FILE = "encoder.json"
WEIGHTS_FILE = "weights.npz"
VOCABULARY_FILE = "vocab.txt"
UNKNOWN, FIRST, LAST = "[UNK]", "[CLS]", "[SEP]"
LONGEST_WORD = 100  # characters; a longer word is one unknown piece (as BERT's)
Array = np.ndarray[Any, np.dtype[np.float32]]


def erf(x: Array) -> Array:
    """The error function (Abramowitz and Stegun 7.1.26, within 1.5e-7), as numpy has none."""
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t
    return np.sign(x) * (1.0 - (poly + 0.254829592) * t * np.exp(-a * a))


def gelu(x: Array) -> Array:
    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))


def layer_norm(x: Array, gain: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + bias


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return any(
        low <= code <= high
        for low, high in (
            (0x4E00, 0x9FFF),
            (0x3400, 0x4DBF),
            (0x20000, 0x2A6DF),
            (0x2A700, 0x2B73F),
            (0x2B740, 0x2B81F),
            (0x2B820, 0x2CEAF),
            (0xF900, 0xFAFF),
            (0x2F800, 0x2FA1F),
        )
    )


def words_of(text: str) -> list[str]:
    """BERT's basic tokenizer, uncased: control characters dropped, Chinese characters and
    punctuation split off, lower case, accents stripped."""
    spaced = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD) or (
            unicodedata.category(char).startswith("C") and char not in "\t\n\r"
        ):
            continue
        if char in " \t\n\r" or unicodedata.category(char) == "Zs":
            spaced.append(" ")
        elif _is_cjk(code):
            spaced.append(f" {char} ")
        else:
            spaced.append(char)
    words: list[str] = []
    for word in "".join(spaced).lower().split():
        plain = "".join(
            c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
        )
        piece = ""
        for char in plain:
            if _is_punctuation(char):
                words += [piece, char] if piece else [char]
                piece = ""
            else:
                piece += char
        if piece:
            words.append(piece)
    return words


@dataclass(frozen=True)
class Pieces:
    """BERT's word pieces: each word as the longest pieces the vocabulary has, left to right
    (a piece inside a word starts "##"); a word that cannot be pieced is one unknown."""

    ids: dict[str, int]
    max_tokens: int

    def encode(self, text: str) -> list[int]:
        found: list[int] = []
        for word in words_of(text):
            found += self._pieces(word)
        body = found[: self.max_tokens - 2]
        return [self.ids[FIRST], *body, self.ids[LAST]]

    def _pieces(self, word: str) -> list[int]:
        if len(word) > LONGEST_WORD:
            return [self.ids[UNKNOWN]]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else f"##{word[start:end]}"
                if piece in self.ids:
                    pieces.append(self.ids[piece])
                    break
                end -= 1
            else:
                return [self.ids[UNKNOWN]]
            start = end
        return pieces


@dataclass(frozen=True, eq=False)  # one per process, compared and hashed by identity
class Encoder:
    """The fine-tuned encoder and its head, in float32, with its word pieces. The vocabulary's
    vectors stay 8-bit until an answer's tokens are looked up (half the weights)."""

    weights: dict[str, Array]
    vocabulary: tuple[np.ndarray[Any, np.dtype[np.int8]], Array]  # 8-bit rows, a scale each
    pieces: Pieces
    heads: int
    layers: int
    eps: float

    def danger(self, text: str) -> float:
        """p(danger) of an answer, as Alexa handed it over (lower case words)."""
        ids = self.pieces.encode(text)
        logits = self.weights["head.weight"] @ self.pooled(ids) + self.weights["head.bias"]
        odds = np.exp(logits - logits.max())
        return float(odds[1] / odds.sum())

    def pooled(self, ids: list[int]) -> Array:
        """The mean of the last layer over the tokens (the sentence, [CLS] and [SEP] too)."""
        w, n = self.weights, len(ids)
        rows, scales = self.vocabulary
        x = (
            rows[ids].astype(np.float32) * scales[ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        width = x.shape[1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(h: Array, name: str, p: str = p) -> Array:
                return h @ w[f"{p}{name}.weight"].T + w[f"{p}{name}.bias"]

            def split(h: Array) -> Array:  # (tokens, width) -> (heads, tokens, head width)
                return h.reshape(n, self.heads, width).transpose(1, 0, 2)

            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(width))
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, self.heads * width)
            x = layer_norm(
                x + dense(context, "attention.output.dense"),
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                self.eps,
            )
            x = layer_norm(
                x + dense(gelu(dense(x, "intermediate.dense")), "output.dense"),
                w[f"{p}output.LayerNorm.weight"],
                w[f"{p}output.LayerNorm.bias"],
                self.eps,
            )
        pooled: Array = x.mean(0)
        return pooled


def dequantized(stored: Any, leave: str = "") -> dict[str, Array]:
    """The weights as float32: "name.q" (int8) times "name.s" (a scale per row), or as is;
    all but `leave`."""
    weights: dict[str, Array] = {}
    for name in stored.files:
        if name.startswith(f"{leave}.") and leave:
            continue
        if name.endswith(".q"):
            base = name.removesuffix(".q")
            weights[base] = stored[name].astype(np.float32) * stored[f"{base}.s"]
        elif not name.endswith(".s"):
            weights[name] = stored[name].astype(np.float32)
    return weights


VOCABULARY = "embeddings.word_embeddings.weight"


@cache
def encoder() -> Encoder:
    """The encoder, read once for the life of the process (with the first answer)."""
    settings = json.loads((FOLDER / SETTINGS_FILE).read_text(encoding="utf-8"))
    words = (FOLDER / VOCABULARY_FILE).read_text(encoding="utf-8").splitlines()
    pieces = Pieces({word: i for i, word in enumerate(words)}, int(settings["max_tokens"]))
    with np.load(FOLDER / WEIGHTS_FILE) as stored:
        vocabulary = (stored[f"{VOCABULARY}.q"], stored[f"{VOCABULARY}.s"])
        weights = dequantized(stored, leave=VOCABULARY)
    layers = len({k.split(".")[2] for k in weights if k.startswith("encoder.layer.")})
    return Encoder(
        weights, vocabulary, pieces, int(settings["heads"]), layers, float(settings["eps"])
    )
