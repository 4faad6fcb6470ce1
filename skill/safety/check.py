"""The check: an answer prepared as the rules read it, then read by the rules and the model.

How an answer is read, in order (everything below is data in safety.json; the pattern
language its rules are written in is skill.safety.patterns):

1. Prepared as the rules read it: lower case, no punctuation, contractions expanded
   ("contractions", then "suffixes" such as "'d" for "everyone'd"), "fillers" such as "um"
   dropped, multi-word "phrases" rewritten ("any more" reads "anymore", "to be honest" goes).
2. "benign" phrases that share danger's words ("killing it at work", "beats me at chess",
   "help me with the dishes") are set aside: their words become "~".
3. Rules decide alone. Each category ("self_harm", "violence", "help") is a list of
   patterns; the first that matches decides. A match does not count straight after a
   negation ("he would never hit me"; the "negation" pattern, which may skip a word or two
   such as "ever" or "want to"), and a rule {"pattern": ..., "unless": ...} does not count
   when `unless` matches anywhere in the whole answer, read before step 2 ("i tried to kill
   myself" unless "years ago"; "he pushed me" unless it was "into the pool").
4. Signals decide together. "signals" names weaker cues by category and kind
   (self_harm/means: "pills", "rope"; self_harm/plan: "looked up how"; violence/temper:
   "he loses it"). One signal alone is ordinary talk; two different kinds in one answer
   decide ("i bought a rope and i keep looking at it").
5. The model (skill.safety.model, `safety_model.json`) weighs the same prepared answer:
   p(danger), from its words and pairs of words, averaged (at the model's `words_share`)
   with the encoder's (skill.safety.encoder), which reads the answer as said. A rule's
   match (steps 3 and 4) stands unless that p(danger) is below the model's `veto_below`
   (`short_veto_below` in an answer under `min_words`: 0, so there a rule's match stands);
   where no rule matched, it alone flags at `flag_at` or above in an answer of `min_words`
   or more, and at the higher `short_flag_at` in a shorter one (the Concern's rule is then
   "model"). SAFETY.md says how each setting was chosen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache

from skill.content import Content, content_data, json_object
from skill.safety.model import Model, model_for
from skill.safety.patterns import NAME_TOKEN, Compiler, Rule, RuleSet

CATEGORIES = ("self_harm", "violence", "help")  # checked in this order; the first match wins
SIGNALS_NEEDED = 2  # different signals that decide together where no rule decides alone
MODEL_RULE = "model"  # a Concern's rule when the learned model alone decided (skill.safety.model)
_NON_WORD = re.compile(r"[^\w' @]+")


@dataclass(frozen=True)
class Concern:
    """What an answer signalled: its category and the rule that matched (content, never words
    of the answer)."""

    category: str
    rule: str


@dataclass(frozen=True)
class Rules:
    """One locale's compiled rules."""

    contractions: dict[str, str]
    suffixes: dict[str, str]  # "'d" -> "would", for words not in `contractions`
    fillers: frozenset[str]
    phrases: tuple[tuple[str, str], ...]  # " any more " -> " anymore ", longest first
    negation: re.Pattern[str] | None  # matches the words just before a negated match
    benign: RuleSet
    categories: dict[str, RuleSet]
    signals: RuleSet  # each rule names its signal; two different signals decide


def concern(text: str, content: Content, names: tuple[str, ...] = ()) -> Concern | None:
    """The danger an answer signals, or None for an answer to keep: the rules and the model."""
    rules = rules_for(content.locale)
    said = prepare(text, rules, names)
    if not said.strip():
        return None
    model = model_for(content.locale)
    p_danger, likeliest = model.danger(said)
    found = by_rules(said, rules)
    words = len(said.split())
    alone_at, veto_at = model.alone_at(words), model.veto_at(words)
    share = model.words_share  # of p(danger): the encoder's, which reads the answer as said,
    low, high = share * p_danger, share * p_danger + 1 - share  # is the rest, from 0 to 1
    # The encoder costs milliseconds: ask it only where its p(danger) can change the verdict.
    if share < 1 and (
        (found is not None and low < veto_at) or (found is None and low < alone_at <= high)
    ):
        p_danger = averaged(model, p_danger, text)
    else:
        p_danger = low if found is None else high  # either bound decides as the other would
    if not model.flags(found is not None, p_danger, words):
        return None
    return found if found is not None else Concern(likeliest, MODEL_RULE)


def averaged(model: Model, p_words: float, text: str) -> float:
    """p(danger) as the check weighs it: the word model's, averaged at its `words_share`
    with the encoder's, which reads the answer as said (1: the word model's alone)."""
    if model.words_share >= 1:
        return p_words
    from skill.safety.encoder import encoder  # numpy: with the first answer, not cold start

    return model.words_share * p_words + (1 - model.words_share) * encoder().danger(text)


def by_rules(said: str, rules: Rules) -> Concern | None:
    """What the rules say of a prepared answer: a rule that decides alone, or two signals."""
    whole, said = said, rules.benign.mask(said)
    for category in CATEGORIES:
        rule = rules.categories[category].first_match(said, rules.negation, whole)
        if rule is not None:
            return Concern(category, rule.source)
    heard = rules.signals.signals(said, rules.negation, whole)
    if len(heard) < SIGNALS_NEEDED:
        return None
    first = min(heard, key=lambda s: CATEGORIES.index(s.split("/")[0]))
    return Concern(first.split("/")[0], " + ".join(heard))


def prepare(text: str, rules: Rules, names: tuple[str, ...] = ()) -> str:
    """The answer as the rules read it: " word word ... " (a space before and after each)."""
    text = unicodedata.normalize("NFKD", text.lower())  # "fiancé" reads "fiance"
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("-", " ")
    words = _NON_WORD.sub(" ", text).split()
    expanded: list[str] = []
    for word in words:
        word = word.strip("'")
        if word in rules.contractions:
            expanded.extend(rules.contractions[word].split())
        elif word.endswith("'s") and len(word) > 2:  # "husband's temper": the 's on its own
            expanded.extend((word[:-2], "'s"))
        elif (suffix := _suffix(word, rules.suffixes)) is not None:  # "everyone'd", "he'll"
            expanded.extend((word[: -len(suffix)], *rules.suffixes[suffix].split()))
        elif word:
            expanded.append(word)
    kept = [w for w in expanded if w not in rules.fillers]
    said = f" {' '.join(kept)} "
    for phrase, meaning in rules.phrases:
        while phrase in said:  # "you know you know": the matches overlap at their spaces
            said = said.replace(phrase, meaning)
    for name in names:
        spoken = " ".join(_NON_WORD.sub(" ", name.lower().replace("-", " ")).split())
        if spoken:
            said = said.replace(f" {spoken} ", f" {NAME_TOKEN} ")
    return said


def _suffix(word: str, suffixes: dict[str, str]) -> str | None:
    """The contraction a word ends with ("'d", "n't"), when the rest is a word of its own."""
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) > len(suffix):
            return suffix
    return None


@cache
def rules_for(locale: str) -> Rules:
    """A locale's rules, compiled once for the life of the process."""
    raw = json_object(content_data(locale, "safety.json"), "safety.json")
    compiler = Compiler({name: list(values) for name, values in raw.get("slots", {}).items()})
    categories: dict[str, RuleSet] = {}
    for category in CATEGORIES:
        each = tuple(compiler.rule(item) for item in raw.get(category, []))
        if not each:
            raise ValueError(f"safety.json ({locale}): no rules for {category}")
        categories[category] = RuleSet.of(each)
    signals: list[Rule] = []
    for category, named in raw.get("signals", {}).items():
        if category not in CATEGORIES:
            raise ValueError(f"safety.json ({locale}): signals for no category: {category}")
        for name, items in named.items():
            signals += [replace(compiler.rule(i), signal=f"{category}/{name}") for i in items]
    phrases = {  # matched word for word: " any more " -> " anymore ", " you know " -> " "
        f" {k.lower()} ": f" {v.lower()} ".replace("  ", " ")
        for k, v in raw.get("phrases", {}).items()
    }
    negation = raw.get("negation")
    return Rules(
        contractions={k.lower(): v.lower() for k, v in raw.get("contractions", {}).items()},
        suffixes={k.lower(): v.lower() for k, v in raw.get("suffixes", {}).items()},
        fillers=frozenset(w.lower() for w in raw.get("fillers", [])),
        phrases=tuple(sorted(phrases.items(), key=lambda kv: -len(kv[0]))),
        negation=re.compile(compiler.rule(negation).regex + "$") if negation else None,
        benign=RuleSet.of(tuple(compiler.rule(item) for item in raw.get("benign", []))),
        categories=categories,
        signals=RuleSet.of(tuple(signals)),
    )
