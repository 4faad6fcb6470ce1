"""Only answers are kept: what is said instead of an answer is recognised and acted on.

Generated from the data: every phrase of not_answers.json and every sample of every intent
that is not the answer (intent_samples.json) is recognised as its own intent, and said while
an answer is awaited, none is stored. Each test checks all items and names every failure.
The development sets (tests/data/dev/) give the figures the threshold was chosen on; the
held-out measurement is tests/test_recognisers_heldout.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from skill.app import Stagewise
from skill.content import content_data, load_content
from skill.not_answers import THRESHOLD, compiled, expand, normalize, recognise
from skill.not_answers.restated import restated_answer
from stagewise_tools import content_sync
from stagewise_tools.packaging.skill_package import locale_model
from stagewise_tools.safety_model import SAID_FOR  # a phrase's {slot}, as said (one list)
from tests.conversation import Couple, says
from tests.recogniser_figures import (
    DATA,
    KIND_INTENTS,
    answer_figures,
    not_answer_figures,
    restated_figures,
    rows,
)
from tests.test_conversation import stored

CONTENT = load_content()
COUPLE = ("Sam", "Alex")
# Intents the skill treats alike while an answer is awaited: either is right.
ALIKE = [
    frozenset({"AMAZON.RepeatIntent", "TonightQuestionIntent"}),
    frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"}),
    frozenset({"StageInfoIntent", "ChangeStageIntent", "ChooseStageIntent"}),
    frozenset({"StageInfoIntent", "StageMoreIntent"}),
    frozenset({"RecapIntent", "RecapLastTimeIntent", "RecapStageIntent", "RecapYearAgoIntent"}),
    frozenset({"FavouriteIntent", "PlayFavouritesIntent"}),
    frozenset({"SetReminderIntent", "ReminderStatusIntent", "MoveReminderIntent"}),
    frozenset({"CancelReminderIntent", "MoveReminderIntent", "ReminderStatusIntent"}),
    frozenset({"ReconnectIntent", "SetReminderIntent"}),
]


def as_said(phrase: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAID_FOR[m[1]], phrase)


def same_action(expected: str, found: str) -> bool:
    return expected == found or any({expected, found} <= group for group in ALIKE)


def all_phrases(locale: str = "en-US") -> list[tuple[str, str]]:
    """(intent, phrase) for every phrase the recogniser is built from, templates expanded."""
    data = content_data(locale, "not_answers.json")
    samples = content_data(locale, "intent_samples.json")
    assert isinstance(data, Mapping) and isinstance(samples, Mapping)
    ignored = {(i, s) for i, listed in data["not_evidence"].items() for s in listed}
    found = [
        (intent, sample)
        for intent, listed in samples.items()
        if not intent.startswith("_")
        for sample in listed
        if (intent, sample) not in ignored
    ]
    found += [(i, p) for i, listed in data["phrases"].items() for t in listed for p in expand(t)]
    return found


def test_every_phrase_and_sample_is_recognised_as_its_intent() -> None:
    phrases = all_phrases()
    assert len(phrases) > 600  # the model's samples and the phrase data, not a stub
    wrong = []
    for intent, phrase in phrases:
        found = recognise(as_said(phrase), COUPLE, CONTENT)
        if found is None or not same_action(intent, found.intent):
            wrong.append(f"{intent}: {phrase!r} -> {found.intent if found else 'an answer'}")
    assert wrong == []


def test_each_locale_knows_its_own_samples() -> None:
    """en-GB's "go on then give us tonight's question" is a sample only there: every sample
    of an intent a locale words differently is recognised in that locale."""
    english = content_data("en-US", "intent_samples.json")
    assert isinstance(english, Mapping)
    wrong, checked = [], 0
    for locale in ("en-GB", "en-AU", "en-IN"):
        content = load_content(locale)
        samples = content_data(locale, "intent_samples.json")
        assert isinstance(samples, Mapping)
        for intent, listed in samples.items():
            if intent.startswith("_") or listed == english.get(intent):
                continue
            for sample in listed:
                checked += 1
                found = recognise(as_said(sample), COUPLE, content)
                if found is None or not same_action(intent, found.intent):
                    wrong.append(f"{locale} {intent}: {sample!r}")
    assert checked > 0 and wrong == []


def test_the_samples_the_runtime_reads_match_the_interaction_model() -> None:
    """A new sample in interaction_model/ reaches the recogniser only through this copy:
    `python -m stagewise_tools.content_sync` rewrites it."""
    assert content_sync.stale() == []


def test_a_template_says_every_combination() -> None:
    assert expand("(say|repeat) [the question] again") == [
        "say the question again",
        "say again",
        "repeat the question again",
        "repeat again",
    ]
    assert expand("{name} [can] go first") == ["{name} can go first", "{name} go first"]


def test_text_is_read_as_alexa_sends_it() -> None:
    assert normalize("Um, what’s the QUESTION?!") == "um what's the question"
    assert normalize("hmmmm ummm") == "hmm umm"  # however long the sound is held


def test_a_sample_that_says_nothing_is_not_evidence() -> None:
    """A lone first name or number, two names joined by "and": answers, said back."""
    for text in ("hope", "three", "coffee and cake", "maya and jordan", "jo"):
        assert recognise(text, COUPLE, CONTENT) is None, text


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("hmm let me think", "Think"),
        ("um wait hold on", "Think"),
        ("oh that's a good question hmm", "Think"),
        ("well um", "Think"),
        ("um", "Think"),
        ("uh what was the question", "AMAZON.RepeatIntent"),
        ("sorry can you please repeat the question", "AMAZON.RepeatIntent"),
        ("could you say that one more time for me", "AMAZON.RepeatIntent"),
        ("wait what", "AMAZON.RepeatIntent"),
        ("hold on what was the question", "AMAZON.RepeatIntent"),
        ("hmm wait let me think", "Think"),
        ("that's wrong change it", "CorrectAnswerIntent"),
        ("no no that's not what i said", "CorrectAnswerIntent"),
        ("can we please skip this one", "SkipIntent"),
        ("i'd really rather not answer that one", "SkipIntent"),
        ("well delete everything", "DeleteAllIntent"),
        ("delete it all", "DeleteAllIntent"),
        ("delete my last answer", "DeleteLastAnswerIntent"),
        ("forget what i just said", "DeleteLastAnswerIntent"),
        ("delete tonight's answers please", "DeleteTonightIntent"),
        ("what's tonight's question", "TonightQuestionIntent"),
        ("alexa what did we say last week", "RecapIntent"),
        ("okay we're done for tonight", "AMAZON.StopIntent"),
    ],
)
def test_phrases_with_fillers_politeness_or_another_word_are_recognised(
    said: str, intent: str
) -> None:
    found = recognise(said, COUPLE, CONTENT)
    assert found is not None and found.intent == intent


def test_who_goes_first_is_read_off_the_words() -> None:
    found = recognise("alex why don't you go first", COUPLE, CONTENT)
    assert found is not None and found.intent == "GoFirst" and dict(found.slots) == {"name": "Alex"}
    unnamed = recognise("you go first", COUPLE, CONTENT)
    assert unnamed is not None and unnamed.intent == "GoFirst" and dict(unnamed.slots) == {}


def test_a_stage_said_by_number_is_read_off_as_digits() -> None:
    found = recognise("tell me about stage three", COUPLE, CONTENT)
    assert found is not None and found.intent == "StageInfoIntent"
    assert dict(found.slots) == {"stage_number": "3"}


@pytest.mark.parametrize(
    "answer",
    [
        "well you make me laugh",
        "hmm the lake house",
        "so much",
        "help with the dishes",
        "stop worrying",
        "thinking of you",
        "the question you asked on our first date",
        "no idea honestly maybe paris",
        "yes",
        "no",
        "alex",
        "sam's answer",
        "first answer",
    ],
)
def test_answers_that_sound_like_requests_are_answers(answer: str) -> None:
    assert recognise(answer, COUPLE, CONTENT) is None


DEV_NOT_ANSWERS = sorted((DATA / "dev").glob("*not_answers.tsv"))
DEV_ANSWERS = sorted(p for p in (DATA / "dev").glob("*answers.tsv") if p not in DEV_NOT_ANSWERS)


def test_development_sets_meet_the_goals() -> None:
    """The figures the phrase data and the threshold were tuned on, file by file (a
    held-out set gives the honest ones)."""
    assert len(DEV_NOT_ANSWERS) >= 2 and len(DEV_ANSWERS) >= 2
    acted = total = mistaken = answers = 0
    problems: list[str] = []
    lines = [f"dev, threshold {THRESHOLD}:"]
    for path in DEV_NOT_ANSWERS:
        figures = not_answer_figures(path, keep_examples=True)
        acted, total = acted + figures.acted_on, total + figures.total
        problems += figures.missed
        lines.append(
            f"  {path.name}: {figures.acted_share:.1%} of {figures.total} acted on, "
            f"{figures.right_share:.1%} as their kind asks"
        )
    for path in DEV_ANSWERS:
        kept = answer_figures(path, keep_examples=True)
        mistaken, answers = mistaken + kept.mistaken, answers + kept.total
        problems += kept.examples
        lines.append(f"  {path.name}: {kept.mistaken_share:.1%} of {kept.total} mistaken")
    print("\n" + "\n".join(lines))
    assert acted / total >= 0.97, problems
    assert mistaken / answers <= 0.01, problems


DEV_RESTATED = sorted((DATA / "dev").glob("*restated.tsv"))
# What each development set of corrections said in one breath holds (tuned on; the last is
# answers alone, each opening like a correction): (exact at least, filed as the other's at
# most, answers replacing one at most, answers asked about at most). openings_restated.tsv
# (2026-12-07, another hand, unusual openings on purpose) read before any tuning on it: 54.2 %
# exact, 43.1 % filed as the other's, 3.2 % of its answers replacing one.
DEV_RESTATED_FLOORS = {
    "fresh_restated.tsv": (0.93, 0.05, 0.005, 0.02),
    "lookalike_restated.tsv": (1.0, 0.0, 0.005, 0.11),
    "openings_restated.tsv": (0.83, 0.14, 0.005, 0.07),
    "restated.tsv": (0.97, 0.0, 0.005, 0.06),
}


def test_corrections_said_with_their_new_words_on_the_development_sets() -> None:
    """The figures the restated leads were tuned on (tests/data/dev/*restated.tsv): most
    corrections give their new words exactly, few are filed as the other partner's, almost no
    answer replaces one, few are asked about."""
    assert sorted(DEV_RESTATED_FLOORS) == [path.name for path in DEV_RESTATED]
    malformed = [
        f"{path.name}: {row['text']!r}"
        for path in DEV_RESTATED
        for row in rows(path)
        if row["kind"] not in ("restated", "answer")
        or (row["kind"] == "restated") != bool(row["answer"])
        or row["answer"] not in row["text"]
    ]
    assert malformed == []
    lines, problems = ["dev restated:"], []
    for path in DEV_RESTATED:
        f = restated_figures(path, keep_examples=True)
        lines.append(
            f"  {path.name}: {f.exact} of {f.corrections} exact ({f.asked_first} asked first), "
            f"{f.other_partners} filed as the other's; of {f.answers} answers {f.replacing} "
            f"replace one, {f.asking} are asked about"
        )
        exact, others, replacing, asking = DEV_RESTATED_FLOORS[path.name]
        if f.corrections and (f.exact_share < exact or f.other_partners_share > others):
            problems.append(f"{path.name}: corrections {f.examples}")
        if f.answers and (f.replacing_share > replacing or f.asking_share > asking):
            problems.append(f"{path.name}: answers {f.examples}")
    print("\n" + "\n".join(lines))
    assert problems == []


@pytest.mark.parametrize(
    "said",
    [
        "you get me all mixed up in the best way",
        "you're a bit off the wall and i love it",
        "you always do this thing where you hum",
        "you didn't get it at first but now you laugh at my jokes",
        "sorry i told him about the surprise party",
        "listen i said to her we'd always dance in the kitchen",
    ],
)
def test_an_answer_opening_like_a_newer_correction_never_replaces_one_unasked(said: str) -> None:
    """Found reviewing the openings learnt from openings_restated.tsv: these begin with one
    and are answers; at most the skill asks first ("was that a change?")."""
    found = restated_answer("en-US", said)
    assert found is None or not found.sure


def test_the_development_sets_are_well_formed() -> None:
    """Columns as the held-out files have them; every question id exists; no repeats."""
    problems = []
    for path in [*DEV_NOT_ANSWERS, *DEV_ANSWERS]:
        found = rows(path)
        texts = [row["text"] for row in found]
        problems += [f"{path.name}: {t!r} twice" for t in set(texts) if texts.count(t) > 1]
        for row in found:
            if "kind" in row and row["kind"] not in KIND_INTENTS:
                problems.append(f"{path.name}: no kind {row['kind']}")
            if "question_id" in row and CONTENT.question(row["question_id"]) is None:
                problems.append(f"{path.name}: no question {row['question_id']}")
    assert problems == []


def test_a_thousand_supposed_answers_use_the_recogniser_built_once() -> None:
    """What makes the check cheap is building a locale's recogniser once per process; its
    cost per answer is measured in bench/not_answers.py against the SDK's envelope read."""
    texts = [row["text"] for row in rows(DATA / "dev" / "answers.tsv")]
    texts += [row["text"] for row in rows(DATA / "dev" / "not_answers.tsv")]
    compiled(CONTENT.locale)
    built = compiled.cache_info().misses
    for text in (texts * (1000 // len(texts) + 1))[:1000]:
        recognise(text, COUPLE, CONTENT)
    assert compiled.cache_info().misses == built


# -- through the skill: said while an answer is awaited, never stored ---------------

STILL_LISTENING = frozenset(
    {
        "AMAZON.RepeatIntent",
        "TonightQuestionIntent",
        "Think",
        "GoFirst",
        "CorrectAnswerIntent",
        "AMAZON.HelpIntent",
        "ForgetVoiceIntent",
        "SetReminderIntent",
        "StageInfoIntent",
        "JourneyIntent",
    }
)


def test_a_phrase_said_instead_of_an_answer_is_never_stored(app: Stagewise) -> None:
    """Two phrases of every intent, each said by a new couple as the first answer."""
    by_intent: dict[str, list[str]] = {}
    for intent, phrase in all_phrases():
        by_intent.setdefault(intent, [])
        if len(by_intent[intent]) < 2:
            by_intent[intent].append(as_said(phrase))
    problems = []
    for number, (intent, phrases) in enumerate(sorted(by_intent.items())):
        for turn, phrase in enumerate(phrases):
            household = f"amzn1.ask.account.phrase-{number}-{turn}"
            couple = Couple(app, user_id=household)
            couple.onboard()
            reply = couple.answer(phrase)
            if CONTENT.variants("crisis.number")[0] in reply.text:  # the safety check first
                continue
            if stored(app, household):
                problems.append(f"{intent}: {phrase!r} was stored")
            if intent in STILL_LISTENING and (reply.ended or reply.elicits != "answer"):
                problems.append(f"{intent}: {phrase!r} stopped listening for the answer")
            if intent in ("AMAZON.StopIntent", "AMAZON.CancelIntent") and not reply.ended:
                problems.append(f"{intent}: {phrase!r} did not stop")
            if intent.startswith("Delete"):  # asks first, saying what would go (or nothing)
                waiting = couple.awaiting
                if waiting != "delete_confirm" and not says(reply, "forget.nothing_tonight"):
                    problems.append(f"{intent}: {phrase!r} did not ask before deleting")
    assert problems == []


@pytest.mark.parametrize("said", ["alex goes first", "let alex go first", "alex you go first"])
def test_asking_to_go_first_changes_whose_turn_it_is(
    couple: Couple, app: Stagewise, said: str
) -> None:
    couple.onboard()
    reply = couple.answer(said)
    assert says(reply, "answer.goes_first", name="Alex") and stored(app) == []
    couple.answer("the way you hum")
    [first] = stored(app)
    assert (first.partner_name, first.text) == ("Alex", "the way you hum")
    second = couple.answer("then sam")
    assert says(second, "answer.heard", name="Sam", answer="then sam")


def test_you_go_first_hands_the_turn_to_the_other_partner(couple: Couple, app: Stagewise) -> None:
    couple.onboard()
    reply = couple.answer("you go first")
    assert says(reply, "answer.goes_first", name="Alex") and stored(app) == []


def test_delete_it_all_asks_to_delete_everything(couple: Couple, app: Stagewise) -> None:
    """Chosen by likeness to each deletion's own samples: "it all" is everything."""
    couple.onboard()
    couple.answer("your patience")
    reply = couple.answer("delete it all")
    assert couple.awaiting == "delete_confirm"
    assert says(reply, "forget.confirm_all")


@pytest.mark.parametrize(
    "answer",
    [
        "the lake house",
        "patience",  # a first name, and an answer
        "hope",
        "grace",
        "forgetting my keys with you",  # starts like a command, is not one
        "waiting for you at the station",
        "what a day that was",
        "help with the groceries",
        "the way you say stop it when you laugh",
    ],
)
def test_real_answers_are_kept_and_said_back(couple: Couple, app: Stagewise, answer: str) -> None:
    couple.onboard()
    reply = couple.answer(answer)
    assert [a.text for a in stored(app)] == [answer]
    assert says(reply, "answer.heard", name="Sam", answer=answer)


def test_a_lone_first_name_heard_as_a_name_is_an_answer(couple: Couple, app: Stagewise) -> None:
    """Alexa may route "Hope" to NamesIntent while an answer is awaited: it is still an answer."""
    couple.onboard()
    reply = couple.intent("NamesIntent", first_name="hope")
    assert [a.text for a in stored(app)] == ["hope"]
    assert says(reply, "answer.heard", name="Sam", answer="hope")
    profile = app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and (profile.partner_a, profile.partner_b) == ("Sam", "Alex")


def test_the_same_partner_asking_to_go_first_twice_is_told_kindly(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    couple.answer("mine")
    reply = couple.answer("sam goes first")
    assert says(reply, "answer.already_answered", name="Sam", other="Alex")
    assert [a.text for a in stored(app)] == ["mine"]


def test_the_phrase_the_first_evening_teaches_resolves_however_alexa_hears_it() -> None:
    """ "Say: tell me more about this stage", said right after the question: a sample of
    StageMoreIntent, and, when Alexa hands it over as the answer, recognised as no answer."""
    phrase = "tell me more about this stage"
    assert all(phrase in hint.lower() for hint in CONTENT.variants("stage.more_hint"))
    language = locale_model("en-US")["interactionModel"]["languageModel"]
    [intent] = [i for i in language["intents"] if i["name"] == "StageMoreIntent"]
    assert phrase in intent["samples"]
    found = recognise(phrase, COUPLE, CONTENT)
    assert found is not None and found.intent == "StageMoreIntent"
