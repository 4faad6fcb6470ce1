"""The pattern language of safety.json, compiled to regular expressions over prepared text.

Every rule, slot, signal and the negation is written in it:

- `word` a whole word; `kill*` any word starting "kill"; `*ing` any word ending "ing"
- `{slot}` one of the slot's phrases (slots are phrases in the same language)
- `(a|b c)` one of the alternatives; `[a|b c]` optional
- `..` up to three words in between, never "not", "never" or "no"
- `!(a|b)` what follows is not one of these (it takes no words)
- `^` the answer's start, `$` its end
- `@name` one of the couple's first names

A pattern compiles to a `Rule`: a regular expression over " word word " text (the answer
as skill.safety.check prepares it) and the words one of which any match must hold (its
anchors). A `RuleSet` indexes its rules by anchor, so a check tries only the few rules
whose anchors the answer holds: it takes tens of microseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

NEGATORS = ("not", "never", "no")  # a gap (`..`) never steps over these
NAME_TOKEN = "@name"  # a couple's first name, as patterns write it
GAP_WORDS = 3
_WORD_CHARS = r"[\w'@]"
_TOKENS = re.compile(r"\.\.|[()\[\]|!^$]|\{[a-z_]+\}|[\w'@*-]+")


@dataclass(frozen=True)
class Rule:
    """One pattern, compiled, with words one of which any match must contain (its anchors)."""

    source: str
    regex: str
    words: frozenset[str]  # a match contains one of these words...
    prefixes: frozenset[str]  # ...or a word starting with one of these
    unless_regex: str | None = None
    signal: str = ""  # for a signal's rule: "category/name"

    @property
    def anchored(self) -> bool:
        return bool(self.words or self.prefixes)

    @property
    def pattern(self) -> re.Pattern[str]:
        """Compiled on first use: most rules are never tried in a process's life."""
        return _compiled(self.regex)

    def matches(
        self, said: str, negation: re.Pattern[str] | None = None, whole: str | None = None
    ) -> bool:
        """A match not straight after a negation ("he would never hit me"), and no `unless`
        anywhere in the whole answer (read before the benign phrases were set aside)."""
        found = any(
            negation is None or not negation.search(said, 0, m.start())
            for m in self.pattern.finditer(said)
        )
        if not found:
            return False
        context = said if whole is None else whole
        return self.unless_regex is None or not _compiled(self.unless_regex).search(context)


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@dataclass(frozen=True)
class RuleSet:
    """Rules, tried only when the answer holds one of their anchors: most answers hold none."""

    rules: tuple[Rule, ...]
    prefix_lengths: tuple[int, ...]
    by_anchor: dict[str, tuple[int, ...]]  # an anchor word or prefix -> the rules it anchors
    unanchored: tuple[int, ...]

    @classmethod
    def of(cls, rules: tuple[Rule, ...]) -> RuleSet:
        lengths = sorted({len(p) for rule in rules for p in rule.prefixes})
        by_anchor: dict[str, list[int]] = {}
        for at, rule in enumerate(rules):
            for anchor in rule.words | rule.prefixes:
                by_anchor.setdefault(anchor, []).append(at)
        unanchored = tuple(at for at, rule in enumerate(rules) if not rule.anchored)
        anchors = {anchor: tuple(ats) for anchor, ats in by_anchor.items()}
        return cls(rules, tuple(lengths), anchors, unanchored)

    def _worth_trying(self, said: str) -> list[Rule]:
        """The rules with an anchor in the answer, in the file's order."""
        words = set(said.split())
        keys = words | {w[:n] for w in words for n in self.prefix_lengths if len(w) >= n}
        found = set(self.unanchored)
        for key in keys & self.by_anchor.keys():
            found.update(self.by_anchor[key])
        return [self.rules[at] for at in sorted(found)]

    def first_match(
        self, said: str, negation: re.Pattern[str] | None = None, whole: str | None = None
    ) -> Rule | None:
        """The first rule (in the file's order) that matches, unless its `unless` does."""
        for rule in self._worth_trying(said):
            if rule.matches(said, negation, whole):
                return rule
        return None

    def signals(
        self, said: str, negation: re.Pattern[str] | None = None, whole: str | None = None
    ) -> list[str]:
        """The distinct signals ("category/name") that some rule of theirs matches, in order."""
        found: list[str] = []
        for rule in self._worth_trying(said):
            if rule.signal not in found and rule.matches(said, negation, whole):
                found.append(rule.signal)
        return found

    def mask(self, said: str) -> str:
        """The answer with each rule's matches replaced by as many "~" words."""
        for rule in self._worth_trying(said):
            said = rule.pattern.sub(lambda m: "~ " * m.group(0).count(" "), said)
        return said


def _source(item: object) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("pattern"), str):
        return str(item["pattern"])
    raise ValueError(f"safety.json: a rule is a pattern or {{'pattern', 'unless'}}: {item!r}")


# Words too common to be worth an anchor when a rarer one is at hand (a speed heuristic).
_COMMON = frozenset(
    {"i", "me", "my", "you", "your", "he", "she", "him", "her", "his", "they", "them"}
    | {"their", "we", "us", "our", "it", "is", "am", "are", "was", "were", "be", "been"}
    | {"the", "a", "an", "to", "and", "of", "in", "on", "at", "for", "with", "that", "this"}
    | {"not", "do", "does", "have", "has", "had", "will", "would", "so", "but", "if", "when"}
    | {"what", "all", "can", "could", "want", "like", "feel", "get", "got", "going"}
)


def _cost(need: tuple[frozenset[str], frozenset[str]]) -> int:
    words, prefixes = need
    return sum(50 if w in _COMMON else 1 for w in words) + 3 * len(prefixes)


Need = tuple[frozenset[str], frozenset[str]] | None  # (words, prefixes): a match holds one


def _rarer(first: Need, second: Need) -> Need:
    if first is None:
        return second
    if second is None:
        return first
    return first if _cost(first) <= _cost(second) else second


@dataclass(frozen=True)
class _Part:
    """A compiled piece of a pattern: its regex, and words one of which a match must hold."""

    regex: str
    need: Need = None
    optional: bool = False  # it can match no words at all

    def then(self, rest: _Part) -> _Part:
        """This part followed by `rest`."""
        mine = None if self.optional else self.need
        return _Part(self.regex + rest.regex, _rarer(mine, rest.need), False)


_EMPTY = _Part("", optional=True)


def _either(options: list[_Part]) -> _Part:
    if len(options) == 1:
        return options[0]
    needs = [o.need for o in options]
    need: Need = None
    if all(n is not None for n in needs) and not any(o.optional for o in options):
        need = (
            frozenset().union(*(n[0] for n in needs if n is not None)),
            frozenset().union(*(n[1] for n in needs if n is not None)),
        )
    return _Part(
        f"(?:{'|'.join(o.regex for o in options)})", need, any(o.optional for o in options)
    )


class Compiler:
    """Patterns to regular expressions over " word word " text; see the module docstring."""

    def __init__(self, slots: dict[str, list[str]]) -> None:
        self.slots = slots
        self._slot_cache: dict[str, _Part] = {}
        self._expanding: set[str] = set()

    def rule(self, item: object) -> Rule:
        source = _source(item)
        unless = item.get("unless") if isinstance(item, dict) else None
        if unless is not None and not isinstance(unless, str):
            raise ValueError(f"safety.json: 'unless' must be a pattern: {item!r}")
        part = self.part(source)
        words, prefixes = part.need or (frozenset(), frozenset())
        return Rule(
            source=source,
            regex="(?<= )" + part.regex,
            words=words,
            prefixes=prefixes,
            unless_regex="(?<= )" + self.part(unless).regex if unless else None,
        )

    def part(self, source: str) -> _Part:
        tokens = _TOKENS.findall(source)
        if "".join(tokens) != source.replace(" ", ""):
            raise ValueError(f"safety.json: cannot read pattern {source!r}")
        part, rest = self._alternatives(tokens, 0, source)
        if rest != len(tokens):
            raise ValueError(f"safety.json: unbalanced pattern {source!r}")
        return part

    def _alternatives(self, tokens: list[str], at: int, source: str) -> tuple[_Part, int]:
        options: list[_Part] = []
        while True:
            seq, at = self._sequence(tokens, at, source)
            options.append(seq)
            if at < len(tokens) and tokens[at] == "|":
                at += 1
                continue
            return _either(options), at

    def _sequence(self, tokens: list[str], at: int, source: str) -> tuple[_Part, int]:
        parts: list[_Part] = []
        while at < len(tokens) and tokens[at] not in ("|", ")", "]"):
            token = tokens[at]
            at += 1
            if token in ("(", "["):
                inner, at = self._alternatives(tokens, at, source)
                close = ")" if token == "(" else "]"
                if at >= len(tokens) or tokens[at] != close:
                    raise ValueError(f"safety.json: unbalanced pattern {source!r}")
                at += 1
                if token == "(":
                    parts.append(replace(inner, regex=f"(?:{inner.regex})"))
                else:
                    parts.append(replace(inner, regex=f"(?:{inner.regex})?", optional=True))
            elif token == "!":
                if at >= len(tokens) or tokens[at] != "(":
                    raise ValueError(f"safety.json: '!' takes a group: {source!r}")
                inner, at = self._alternatives(tokens, at + 1, source)
                at += 1  # the ")"
                parts.append(_Part(f"(?!{inner.regex})", optional=True))
            elif token == "..":
                stop = "|".join(NEGATORS)
                gap = f"(?:(?!(?:{stop}) )[^ ]+ ){{0,{GAP_WORDS}}}"
                parts.append(_Part(gap, optional=True))
            elif token == "^":
                parts.append(_Part("(?<=^ )", optional=True))
            elif token == "$":
                parts.append(_Part("$", optional=True))
            elif token.startswith("{"):
                parts.append(self._slot(token[1:-1], source))
            else:
                parts.append(_word(token))
        whole = _EMPTY
        for part in reversed(parts):
            whole = part.then(whole)
        return whole, at

    def _slot(self, name: str, source: str) -> _Part:
        if name in self._slot_cache:
            return self._slot_cache[name]
        if name not in self.slots:
            raise ValueError(f"safety.json: unknown slot {{{name}}} in {source!r}")
        if name in self._expanding:
            raise ValueError(f"safety.json: slot {{{name}}} refers to itself")
        self._expanding.add(name)
        options = [self.part(value) for value in self.slots[name]]
        self._expanding.discard(name)
        slot = _either(options)
        slot = replace(slot, regex=f"(?:{slot.regex})")
        self._slot_cache[name] = slot
        return slot


def _word(token: str) -> _Part:
    """One word of a pattern, with its trailing space; `*` at either end is any letters."""
    core = token.strip("*").replace("-", " ")
    head = _WORD_CHARS + "*" if token.startswith("*") else ""
    tail = _WORD_CHARS + "*" if token.endswith("*") and len(token) > 1 else ""
    regex = head + re.escape(core).replace(r"\ ", " ") + tail + " "
    words = core.split(" ")
    if head:  # "*ing": no anchor but its other words
        return _Part(regex, (frozenset(words[1:]), frozenset()) if len(words) > 1 else None)
    if tail:  # "kill*", "in-law*": the last word by its beginning
        return _Part(regex, (frozenset(words[:-1]), frozenset(words[-1:])))
    return _Part(regex, (frozenset(words[-1:]), frozenset()))
