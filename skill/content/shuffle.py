"""Which wording of a line a couple hears: a shuffle of its variants per couple, no week in it.

Each line's variants are dealt like cards from decks shuffled for one couple: the draws
0 .. n-1 of a line with n variants are one deck, the next n draws the next deck, each deck
in its own order, seeded by the couple, the line and the deck's number. Within a deck no
variant comes twice; where two decks meet, the first `spacing` cards of a deck are never
among the last `spacing` of the deck before it, so a variant never comes back within
`spacing + 1` draws. The decks' orders differ, so nothing repeats with a period of seven
evenings (or any fixed period): Monday does not sound like last Monday, and two couples
hear different sequences. It is a pure function of its inputs (replays and tests see the
same), and costs a few hashes, no store call.
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import blake2b
from struct import Struct

_WORDS = Struct(">16I")  # a 64-byte digest as sixteen big-endian 32-bit numbers


def variant(count: int, stream: str, draw: int, spacing: int | None = None) -> int:
    """The variant (0 .. count-1) for the `draw`th time a line is said in one `stream`.

    `stream` names the couple and the line; `spacing` (at most count // 3; by default as
    many as that allows) is how many draws on either side of a draw never repeat it.
    """
    if count <= 1:
        return 0
    if count == 2:  # too few to shuffle without repeats: they take turns, per couple
        return (draw + _numbers(stream, -1)[0]) % 2
    most = count // 3
    spacing = most if spacing is None else max(1, min(spacing, most))
    deck, position = divmod(draw, count)
    return _dealt(count, stream, deck, spacing)[position]


@lru_cache(maxsize=4096)
def _dealt(count: int, stream: str, deck: int, spacing: int) -> tuple[int, ...]:
    """One deck's order, its first `spacing` cards moved away from the last deck's tail.

    Only the head and the middle of a deck are ever rearranged, so a deck's tail is its
    plain shuffle's tail: the deck before is never needed beyond its plain shuffle. Kept
    for a while (a pure function): a couple's next turns in a warm container, a repeat or
    help, deal from the same decks without hashing them again.
    """
    order = _shuffled(count, stream, deck)
    if deck == 0:
        return tuple(order)
    tail = set(_shuffled(count, stream, deck - 1, settled=spacing)[count - spacing :])
    middle = [i for i in range(spacing, count - spacing) if order[i] not in tail]
    for head in range(spacing):
        if order[head] in tail:
            swap = middle.pop(0)  # count >= 3 * spacing: there is always one free
            order[head], order[swap] = order[swap], order[head]
    return tuple(order)


def _shuffled(count: int, stream: str, deck: int, settled: int | None = None) -> list[int]:
    """A Fisher-Yates shuffle of range(count) drawn from hashes of (stream, deck).

    The shuffle settles the deck from its end: with `settled`, only the last `settled`
    cards are dealt (the rest are left unshuffled), enough to know a deck's tail.
    """
    order = list(range(count))
    numbers = _numbers(stream, deck, count)
    last = 0 if settled is None else max(0, count - 1 - settled)
    for i in range(count - 1, last, -1):
        j = numbers[i] % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def _numbers(stream: str, deck: int, count: int = 1) -> list[int]:
    """`count` stable pseudo-random 32-bit numbers for one deck of one stream."""
    out: list[int] = []
    block = 0
    while len(out) < count:
        digest = blake2b(f"{stream}|{deck}|{block}".encode(), digest_size=64).digest()
        out.extend(_WORDS.unpack(digest))
        block += 1
    return out[:count]
