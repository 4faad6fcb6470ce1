"""Answers that signal danger: recognised from the phrase data, never stored or said back.

The recogniser is measured on our own development set (tests/data/safety_dev.tsv); the
held-out set, written by someone else and never used to tune the data, is measured by
tests/test_safety_heldout.py. The conversations check what a couple would notice: the
locale's crisis line, a closed session, and nothing of what was said kept anywhere.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from skill.app import Stagewise
from skill.content import PUBLISHED_LOCALES, content_data, content_for
from skill.records import Answer
from skill.safety import CATEGORIES, Rules, _Compiler, check, concern, prepare, rules_for
from skill.safety.check import MODEL_RULE, by_rules
from skill.safety.encoder import Encoder
from skill.safety.model import model_for
from stagewise_tools import alexa_requests as alexa
from stagewise_tools.packaging.skill_package import ManifestSettings, manifest
from stagewise_tools.safety_model import read_rows
from tests.conversation import Couple, Reply, says

DEV_SET = Path(__file__).parent / "data" / "safety_dev.tsv"
VALIDATION_SET = Path(__file__).parent / "data" / "safety_validation.tsv"
# What the validation set measured when the data was last tuned (SAFETY.md), rounded to fail
# on a real step back: its batches were each measured before they were used for tuning.
# Batches 49 to 52 then joined it: the word model trained on them, the encoder not yet (its
# retrain with them flagged more of held-out sets 1 to 18 and was not shipped), so their
# near twins and short answers bring the set down to 97.8 % caught and 0.75 % flagged.
VALIDATION_CAUGHT = 97.8  # % of danger phrasings, at least
VALIDATION_FLAGGED = 0.75  # % of benign answers, at most (outside the twin batches)
# Batch 26 was written as twins: a disclosure's own words, then a harmless turn at the end
# ("he said he will kill me if i talk to my friends ... about the surprise party"). Where only
# such a tail would clear one, it stays flagged on purpose (SAFETY.md: 45 of 198 when tuned,
# 48 after batches 27 to 33, 52 after 34 to 38, whose disclosures taught the model the very
# words the twins turn on, so that it no longer clears three rule matches; 51 after 39 and
# 40, 53 after 41 to 44, 30 with the encoder, 41 with both readers retrained after batches
# 45 and 46); they are measured apart, against a ceiling
# of their own, so that the rest keeps its guard.
# The encoder (skill.safety.encoder), averaged with the word model, flags these many of the
# development set's 1,255 benign answers that the rules and the word model keep: "he won't
# let me pay", "i'm going to treat myself tonight" (SAFETY.md says what it catches for them):
# 11 as first shipped, 12 with both readers retrained after batches 45 and 46, 21 after 47
# and 48 ("he grabbed me a coffee on his way home"; one of them a twin added to this set
# after the encoder was trained: SAFETY.md, the round of batches 47 and 48).
DEV_FLAGGED_WITH_ENCODER = 21
# The word model alone kept every benign development answer until it was trained with batches
# 49 to 52, whose near twins share their words ("you make life worth living", "i'm hiding in
# the bathroom from the kids"): these many it flags alone now; averaged with the encoder, the
# check flags no more of the development set than before (DEV_FLAGGED_WITH_ENCODER).
DEV_FLAGGED_BY_WORDS = 10
TWIN_BATCHES = frozenset({26})
TWINS_FLAGGED = 27.0  # % of the twin batches' benign rows, at most
EVER = datetime(2020, 1, 1, tzinfo=UTC)
HOUSEHOLD = "amzn1.ask.account.test-couple"


def dev_rows(path: Path = DEV_SET) -> list[dict[str, str]]:
    """A set's rows (locale, category, text); lines starting "#" note where a batch begins."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def batch_rows(path: Path = VALIDATION_SET) -> dict[int, list[dict[str, str]]]:
    """The validation set's rows by batch ("# batch N ..." starts each)."""
    batches: dict[int, list[dict[str, str]]] = {}
    for row in read_rows(path):
        batches.setdefault(row.batch, []).append(
            {"locale": row.locale, "category": row.category, "text": row.text}
        )
    return batches


def measured(rows: list[dict[str, str]]) -> tuple[float, list[str], float, list[str]]:
    """% of danger caught, the texts missed, % of benign flagged, the texts flagged."""
    danger = [r for r in rows if r["category"] != "benign"]
    benign = [r for r in rows if r["category"] == "benign"]
    missed = [r["text"] for r in danger if concern(r["text"], content_for(r["locale"])) is None]
    flagged = [r["text"] for r in benign if concern(r["text"], content_for(r["locale"]))]
    caught = 100 * (len(danger) - len(missed)) / len(danger)
    return caught, missed, 100 * len(flagged) / len(benign), flagged


# -- the recogniser, on our own development set -------------------------------------


def test_the_development_set_is_caught_and_kept() -> None:
    """Every development disclosure is caught. Neither reader fits every benign one (the word
    model since batches 49 to 52, the encoder since it was shipped); the check may flag no
    more than it did when they were shipped (SAFETY.md)."""
    caught, missed, alarms, flagged = measured(dev_rows())
    print(f"\ndevelopment set: {caught:.1f} % caught, {alarms:.2f} % flagged: {flagged}")
    assert missed == []
    assert len(flagged) <= DEV_FLAGGED_WITH_ENCODER, flagged
    model = replace(model_for("en-US"), words_share=1.0)  # the rules and the word model alone
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check, "model_for", lambda locale: model)
        _, _, _, flagged_by_words = measured(dev_rows())
    assert len(flagged_by_words) <= DEV_FLAGGED_BY_WORDS, flagged_by_words


def test_the_validation_set_is_caught_with_few_false_alarms() -> None:
    """Our second set, written in batches apart from the development set (SAFETY.md)."""
    batches = batch_rows()
    assert sum(map(len, batches.values())) == len(dev_rows(VALIDATION_SET))
    assert batches.keys() >= TWIN_BATCHES
    answers = [row for batch, rows in batches.items() if batch not in TWIN_BATCHES for row in rows]
    twins = [row for batch in TWIN_BATCHES for row in batches[batch]]
    caught, missed, alarms, flagged = measured(answers)  # each row checked once: the encoder
    twin_caught, twin_missed, twin_alarms, twins_flagged = measured(twins)
    danger = [sum(r["category"] != "benign" for r in rows) for rows in (answers, twins)]
    caught = (caught * danger[0] + twin_caught * danger[1]) / sum(danger)
    missed += twin_missed
    print(f"\nvalidation: {caught:.1f} % caught; flagged {alarms:.2f} %, twins {twin_alarms:.1f} %")
    assert caught >= VALIDATION_CAUGHT, missed
    assert alarms <= VALIDATION_FLAGGED, flagged
    assert twin_alarms <= TWINS_FLAGGED, twins_flagged


@pytest.mark.parametrize(
    ("path", "danger", "benign"),
    [(DEV_SET, 100, 300), (VALIDATION_SET, 400, 800)],
)
def test_each_set_covers_every_category_and_locale(path: Path, danger: int, benign: int) -> None:
    rows = dev_rows(path)
    assert {r["category"] for r in rows} == {*CATEGORIES, "benign"}
    for locale in PUBLISHED_LOCALES:
        mine = [r for r in rows if r["locale"] == locale]
        assert any(r["category"] == "benign" for r in mine), locale
        assert any(r["category"] != "benign" for r in mine), locale
    assert sum(r["category"] != "benign" for r in rows) >= danger
    assert sum(r["category"] == "benign" for r in rows) >= benign


def test_the_validation_set_shares_no_text_with_the_development_set() -> None:
    """Apart means apart: a phrasing tuned on in one set cannot be counted again in the other."""
    dev = {r["text"].lower() for r in dev_rows()}
    assert [r["text"] for r in dev_rows(VALIDATION_SET) if r["text"].lower() in dev] == []


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("Um, I... I want to DIE.", "self_harm"),  # filler, punctuation, capitals
        ("i’m gonna kill myself", "self_harm"),  # a curly apostrophe, "gonna"
        ("honestly i just don't want to be alive anymore", "self_harm"),
        ("my fiancé hits me", "violence"),  # an accent Alexa may keep
        ("he's been hitting me", "violence"),
        ("I need help!", "help"),
    ],
)
def test_what_alexa_hands_over_is_read_as_said(said: str, category: str) -> None:
    found = concern(said, content_for("en-US"))
    assert found is not None and found.category == category


@pytest.mark.parametrize(
    "said",
    [
        "i'd die for your lasagna",
        "that song was a hit",
        "you're killing it at work",
        "he would never hurt me",
        "i don't want to die before we see japan",
        "she beats me at scrabble every time",
        "help",  # a bare "help" asks how to answer (not_answers.json)
        "",
        "   ",
    ],
)
def test_answers_that_share_the_words_are_kept(said: str) -> None:
    assert concern(said, content_for("en-US")) is None


SHORT_DISCLOSURES = [  # from validation batches 51 and 52 (short answers)
    ("took the whole bottle", "self_harm"),
    ("this is goodbye", "self_harm"),
    ("sos", "help"),
    ("please come quick", "help"),
    ("my ex broke in", "violence"),
    ("terrified of my husband", "violence"),
    ("ta ra for good", "self_harm"),  # from batch 52
    ("he rations my money", "violence"),
    ("ring the coppers", "help"),
]


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_a_short_disclosure_is_caught_in_every_locale(locale: str) -> None:
    """Said in a few words, where the readers have too little to overrule a rule: the first
    four were each matched by a rule and then vetoed by the readers (p(danger) under 0.2)."""
    found = {said: concern(said, content_for(locale)) for said, _ in SHORT_DISCLOSURES}
    assert {said: c.category if c else None for said, c in found.items()} == dict(SHORT_DISCLOSURES)


@pytest.mark.parametrize(
    "said",
    [
        "call my mum more",
        "emergency snacks",
        "sugar overdose",
        "terrified of heights",
        "his knife skills",
        "sorry for everything",
        "off to the cliffs",
    ],
)
def test_a_short_answer_that_shares_the_words_is_kept(said: str) -> None:
    assert concern(said, content_for("en-US")) is None


@pytest.mark.parametrize(
    ("negated", "said"),
    [
        ("he would never hit me", "he hits me"),
        ("i don't ever want to hurt myself", "i want to hurt myself"),
        ("i've never been scared of him", "i'm scared of him"),
    ],
)
def test_a_negation_just_before_keeps_the_answer(negated: str, said: str) -> None:
    """To the rules. (The model, which reads "not" only two words on, finds "i don't ever want
    to hurt myself" dangerous: SAFETY.md counts such false alarms in its figures.)"""
    rules = rules_for("en-US")
    assert by_rules(prepare(negated, rules), rules) is None
    assert concern(said, content_for("en-US")) is not None


@pytest.mark.parametrize(
    ("one", "two", "category"),
    [
        ("i bought a rope for the tent", "i bought a rope and i keep looking at it", "self_harm"),
        (
            "when he gets angry at the tv i laugh",
            "i hide in the bathroom when he gets angry",
            "violence",
        ),
    ],
)
def test_one_signal_is_ordinary_talk_and_two_kinds_decide(
    one: str, two: str, category: str
) -> None:
    content = content_for("en-US")
    assert concern(one, content) is None
    found = concern(two, content)
    assert found is not None and found.category == category
    signals = found.rule.split(" + ")  # the signals' names, never the answer's words
    assert len(set(signals)) == 2 and all(s.startswith(CATEGORIES) for s in signals)


def test_an_unless_reads_the_whole_answer_even_what_benign_phrases_set_aside() -> None:
    """ "tickled me" is set aside as benign, yet it still tells play from being held down."""
    content = content_for("en-US")
    assert concern("he held me down and tickled me until i gave up the remote", content) is None
    found = concern("he held me down until i gave up", content)
    assert found is not None and found.category == "violence"


@pytest.mark.parametrize(
    "said",
    [
        "i don't want to hurt myself but i can't stop thinking about it",
        "i'm not going to kill myself but i think about it a lot",
    ],
)
def test_a_negation_that_turns_is_still_caught(said: str) -> None:
    """The rules set these aside ("not" just before); the model reads on and catches them,
    so the rules' negation must never veto the model."""
    rules = rules_for("en-US")
    assert by_rules(prepare(said, rules), rules) is None
    assert concern(said, content_for("en-US")) is not None


def test_a_partners_name_counts_as_the_one_who_scares() -> None:
    """To the rules a name is a word like any other until it is one of the couple's. (The
    model flags "jordan scares me" either way: it learned "scares me", not the name.)"""
    content, rules = content_for("en-US"), rules_for("en-US")
    assert by_rules(prepare("jordan scares me", rules), rules) is None  # a word like any other
    found = concern("jordan scares me", content, ("Maya", "Jordan"))
    assert found is not None and found.category == "violence" and found.rule != MODEL_RULE


def test_a_concern_carries_the_rule_never_the_words() -> None:
    found = concern("i want to die, my secret", content_for("en-US"))
    assert found is not None
    assert "secret" not in found.rule and found.rule in json.dumps(
        content_data("en-US", "safety.json")
    )


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_every_rule_of_every_locale_compiles(locale: str) -> None:
    rules = rules_for(locale)
    for rule_set in (rules.benign, *rules.categories.values()):
        for rule in rule_set.rules:
            assert rule.pattern.pattern and rule.anchored, rule.source  # compiles, has anchors


def test_no_phrase_said_instead_of_an_answer_is_taken_for_danger() -> None:
    """A not-answer the safety check caught would never reach its own handling: the phrase
    data of the two recognisers must not overlap (a plain plea for help is safety's)."""
    from tests.test_not_answers import all_phrases, as_said

    # The five locales share most phrases, and the encoder reads no locale: each phrase once.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Encoder, "danger", cache(Encoder.danger))
        overlap = [
            f"{locale} {intent}: {phrase!r}"
            for locale in PUBLISHED_LOCALES
            for intent, phrase in all_phrases(locale)
            if concern(as_said(phrase), content_for(locale), ("Sam", "Alex")) is not None
        ]
    assert overlap == []


@pytest.mark.parametrize(
    "pattern",
    ["(unclosed", "closed)", "[half", "!word", "{no_such_slot} hits", "what?", "a\\b"],
)
def test_a_pattern_that_cannot_be_read_stops_the_load(pattern: str) -> None:
    with pytest.raises(ValueError):
        _Compiler({"victim": ["me"]}).part(pattern)


def test_a_slot_that_refers_to_itself_stops_the_load() -> None:
    with pytest.raises(ValueError, match="itself"):
        _Compiler({"loop": ["{loop} again"]}).part("{loop}")


def test_the_pattern_language() -> None:
    compiler = _Compiler({"who": ["he", "my partner"]})

    def matches(pattern: str, said: str) -> bool:
        rule = compiler.rule(pattern)
        return rule.pattern.search(f" {said} ") is not None

    assert matches("kill*", "killing") and not matches("kill*", "skill")
    assert matches("*ing", "waiting") and not matches("*ing", "wait")
    assert matches("{who} hits me", "my partner hits me")
    assert matches("i [really] need help", "i need help")
    assert matches("i [really] need help", "i really need help")
    assert matches("i .. want to die", "i kind of want to die")
    assert not matches("i .. want to die", "i do not want to die")  # a gap skips no "not"
    assert not matches("i .. want to die", "i am one two three four want to die")
    assert matches("help me !(with|to)", "help me please")
    assert not matches("help me !(with|to)", "help me with the dishes")
    assert matches("^help", "help now") and not matches("^help", "please help")
    assert matches("help$", "please help") and not matches("help$", "help me")


def test_prepare_reads_text_as_the_rules_do() -> None:
    rules: Rules = rules_for("en-US")
    assert prepare("Um, I'm SO scared—of him!", rules) == " i am so scared of him "
    assert prepare("my husband's temper", rules) == " my husband 's temper "
    assert prepare("Maya hit me", rules, ("Maya",)) == " @name hit me "
    assert prepare("scared of him, to be honest, any more", rules) == " scared of him anymore "
    assert prepare("everyone'd be better", rules) == " everyone would be better "


# -- what a couple hears, and what is kept ----------------------------------------

# Two phrasings of each category: said as an answer in every way an answer can be given.
DANGER = {
    "self_harm": ["i want to die", "i've been thinking about killing myself"],
    "violence": ["he hits me", "i'm scared of my husband"],
    "help": ["i need help", "please help me"],
}
PHRASES = [text for texts in DANGER.values() for text in texts]


CATEGORY_OF = {text: category for category, texts in DANGER.items() for text in texts}


def crisis_line(locale: str, category: str = "self_harm") -> str:
    """The line a couple hears; one who asked for help hears the emergency number first."""
    content = content_for(locale)
    crisis = content.say("crisis.number")
    if category == "help":
        return content.say(
            "crisis.line_help", crisis=crisis, emergency=content.say("crisis.emergency")
        )
    return content.say("crisis.line", crisis=crisis)


def stored(app: Stagewise) -> list[Answer]:
    return app.services.store.answers(
        HOUSEHOLD, start=EVER, until=EVER + timedelta(days=3650), limit=1000
    )


def assert_safe_exit(reply: Reply, phrase: str, locale: str) -> None:
    """The locale's line, nothing of the phrase, no reprompt, no card, the session closed."""
    assert reply.text == crisis_line(locale, CATEGORY_OF[phrase])
    assert reply.ended and not reply.reprompt and not reply.elicits
    assert "card" not in reply.response and not reply.response.get("directives")
    assert phrase.lower() not in json.dumps(reply.raw).lower()


def assert_nothing_kept(app: Stagewise, couple: Couple, phrase: str) -> None:
    """Not in the store, not in the session, not in tomorrow's recap or its card."""
    assert all(phrase not in answer.text for answer in stored(app))
    profile = app.services.store.get_profile(HOUSEHOLD)
    assert profile is None or phrase not in json.dumps(profile.to_dict())
    couple.later(days=1)
    recap = couple.intent("RecapIntent", new_session=True, period=None)
    assert phrase.lower() not in json.dumps(recap.raw).lower()


@pytest.fixture(params=PUBLISHED_LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def local_couple(app: Stagewise, locale: str) -> Couple:
    return Couple(app, locale=locale)


@pytest.mark.parametrize("phrase", PHRASES)
def test_danger_said_as_the_first_answer(
    app: Stagewise, local_couple: Couple, locale: str, phrase: str
) -> None:
    local_couple.onboard()
    reply = local_couple.answer(phrase)
    assert_safe_exit(reply, phrase, locale)
    assert stored(app) == []
    assert_nothing_kept(app, local_couple, phrase)


@pytest.mark.parametrize("phrase", ["i want to die", "he hits me", "i need help"])
def test_danger_said_as_the_second_answer_keeps_only_the_first(
    app: Stagewise, local_couple: Couple, locale: str, phrase: str
) -> None:
    local_couple.onboard()
    first = local_couple.answer("the way you laugh")
    assert says(first, "answer.heard", name="Sam", answer="the way you laugh")
    reply = local_couple.answer(phrase)
    assert_safe_exit(reply, phrase, locale)
    assert [(a.partner_name, a.text) for a in stored(app)] == [("Sam", "the way you laugh")]
    assert_nothing_kept(app, local_couple, phrase)


def test_a_short_plea_no_rule_knows_ends_the_evening_and_a_short_answer_is_kept(
    app: Stagewise, local_couple: Couple, locale: str
) -> None:
    """Under five words the readers decide only where they are all but certain: "send someone
    round please" gets the help line and is kept nowhere; "help me out" is an answer."""
    plea = "send someone round please"
    local_couple.onboard()
    first = local_couple.answer("help me out")
    assert says(first, "answer.heard", name="Sam", answer="help me out")
    reply = local_couple.answer(plea)
    assert reply.text == crisis_line(locale, "help")
    assert reply.ended and not reply.reprompt and plea not in json.dumps(reply.raw).lower()
    assert [(a.partner_name, a.text) for a in stored(app)] == [("Sam", "help me out")]
    assert_nothing_kept(app, local_couple, plea)


@pytest.mark.parametrize("phrase", ["i want to die", "he hits me", "i need help"])
def test_danger_said_as_a_correction_replaces_nothing(
    app: Stagewise, local_couple: Couple, locale: str, phrase: str
) -> None:
    local_couple.onboard()
    local_couple.answer("the way you laugh")
    asked = local_couple.intent("CorrectAnswerIntent")
    assert says(asked, "answer.correct_ask", name="Sam")
    reply = local_couple.answer(phrase)
    assert_safe_exit(reply, phrase, locale)
    assert [a.text for a in stored(app)] == ["the way you laugh"]  # the answer it would correct
    assert_nothing_kept(app, local_couple, phrase)


@pytest.mark.parametrize("phrase", ["i want to die", "he hits me", "i need help"])
def test_danger_said_in_a_correction_with_its_new_words_replaces_nothing(
    app: Stagewise, local_couple: Couple, locale: str, phrase: str
) -> None:
    """ "That's not what I said, I said ...": the new words are checked before they replace."""
    local_couple.onboard()
    local_couple.answer("the way you laugh")
    said = f"no that's not what i said i said {phrase}"
    reply = local_couple.answer(said)
    assert_safe_exit(reply, phrase, locale)
    assert [a.text for a in stored(app)] == ["the way you laugh"]  # the answer it would correct
    assert_nothing_kept(app, local_couple, phrase)


@pytest.mark.parametrize("phrase", ["i want to die", "he hits me", "i need help"])
def test_danger_said_by_a_voice_not_known_yet_is_never_held(
    app: Stagewise, local_couple: Couple, locale: str, phrase: str
) -> None:
    local_couple.onboard()
    local_couple.device.person_id = alexa.person_id("maya")  # the skill would ask "is this...?"
    reply = local_couple.answer(phrase)
    assert_safe_exit(reply, phrase, locale)
    assert "awaiting" not in reply.attributes  # nothing held while asking whose voice it is
    assert stored(app) == []
    assert_nothing_kept(app, local_couple, phrase)


def test_an_answer_held_for_a_voice_is_checked_before_it_is_filed(
    app: Stagewise, couple: Couple
) -> None:
    """A held answer (kept by an earlier session, say) goes through the same check."""
    couple.onboard("maya", "jordan")
    couple.device.person_id = alexa.person_id("maya")
    held = couple.answer("your laugh")
    assert held.attributes["awaiting"]["held"] == "your laugh"  # asked whose voice it is
    couple.device.attributes["awaiting"]["held"] = "i want to die"
    reply = couple.intent("NamesIntent", first_name="maya")
    assert_safe_exit(reply, "i want to die", "en-US")
    assert stored(app) == []


@pytest.mark.parametrize("phrase", ["i want to die", "he hits me", "i need help"])
def test_danger_said_in_one_breath_with_alexa(
    app: Stagewise, local_couple: Couple, locale: str, phrase: str
) -> None:
    """ "Alexa, tell Stagewise ...": a one-shot answer, known couple or not."""
    new = local_couple.intent("AnswerIntent", new_session=True, answer=phrase)
    assert_safe_exit(new, phrase, locale)
    local_couple.onboard()
    local_couple.later(minutes=5)
    known = local_couple.intent("AnswerIntent", new_session=True, answer=phrase)
    assert_safe_exit(known, phrase, locale)
    assert stored(app) == []


@pytest.mark.parametrize("phrase", ["i want to die", "he hits me", "i need help"])
def test_danger_said_when_asked_for_a_name_is_not_taken_for_one(
    app: Stagewise, local_couple: Couple, locale: str, phrase: str
) -> None:
    """Where the name slot carries words that are no name (an NLU that hands over whatever was
    said), they get the answer's check: the calm line, and no couple begun."""
    local_couple.launch()
    reply = local_couple.intent("NamesIntent", first_name=phrase)
    assert_safe_exit(reply, phrase, locale)
    assert app.services.store.get_profile(HOUSEHOLD) is None
    assert stored(app) == []


def test_words_that_are_no_name_and_no_danger_are_asked_for_again(couple: Couple) -> None:
    couple.launch()
    reply = couple.intent("NamesIntent", first_name="coffee and cake")
    assert says(reply, "onboarding.name_missed") and not reply.ended


@pytest.mark.parametrize("said", ["i'd die for your lasagna", "that song was a hit"])
def test_answers_that_only_share_the_words_are_kept_and_said_back(
    app: Stagewise, couple: Couple, said: str
) -> None:
    couple.onboard()
    reply = couple.answer(said)
    assert says(reply, "answer.heard", name="Sam", answer=said) and not reply.ended
    assert [a.text for a in stored(app)] == [said]


def test_the_log_counts_the_category_never_the_words(
    couple: Couple, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stagewise")
    couple.onboard()
    couple.answer("i want to die tonight")
    lines = [r.getMessage() for r in caplog.records]
    assert any("self_harm" in line for line in lines)
    assert not any("die" in line or "tonight" in line for line in lines)


# Spoken digit by digit (Lifeline's by its pairs, as Australians say it), and as written.
CRISIS_NUMBERS = {
    "en-US": ("9 8 8", "988"),  # 988 Suicide & Crisis Lifeline, call or text
    "en-CA": ("9 8 8", "988"),  # 9-8-8 Suicide Crisis Helpline, since November 2023
    "en-GB": ("1 1 6, 1 2 3", "116 123"),  # Samaritans
    "en-AU": ("13 11 14", "13 11 14"),  # Lifeline
    "en-IN": ("1 4 4 1 6", "14416"),  # Tele-MANAS
}


# Said to someone who asked for help, before the crisis line: as each country says it.
EMERGENCY_NUMBERS = {
    "en-US": "9 1 1",
    "en-CA": "9 1 1",
    "en-GB": "9 9 9",
    "en-AU": "triple zero",
    "en-IN": "1 1 2",
}


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_each_locale_gives_its_own_crisis_line(locale: str) -> None:
    spoken, written = CRISIS_NUMBERS[locale]
    assert spoken in crisis_line(locale)
    assert spoken in crisis_line(locale, "help")
    assert EMERGENCY_NUMBERS[locale] in crisis_line(locale, "help")
    assert EMERGENCY_NUMBERS[locale] not in crisis_line(locale)  # one number for the others
    assert written in content_for(locale).say("crisis.where_to_turn")


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_the_store_listing_says_it_is_not_therapy_and_where_to_turn(locale: str) -> None:
    listing = manifest(ManifestSettings())["manifest"]["publishingInformation"]["locales"]
    description = listing[locale]["description"]
    assert description.endswith(content_for(locale).say("crisis.where_to_turn"))
    assert "not counsel" in description and CRISIS_NUMBERS[locale][1] in description
