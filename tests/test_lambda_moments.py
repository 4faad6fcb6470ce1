"""The moments where couples were let down, through lambda_handler on DynamoDB, in every locale.

Each test is one scenario couples met (issue 17): what they heard, and what was stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest

from skill.content import PUBLISHED_LOCALES
from skill.records import Answer
from tests.conversation import Couple, says

EVER = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture(params=PUBLISHED_LOCALES)
def couple(request: pytest.FixtureRequest, lambda_module: ModuleType) -> Couple:
    return Couple(
        lambda_module.SKILL,
        handler=lambda event: lambda_module.lambda_handler(event, None),
        locale=request.param,
    )


def stored(couple: Couple) -> list[Answer]:
    return couple.app.services.store.answers(
        couple.device.user_id, start=EVER, until=couple.now + timedelta(days=1), limit=99
    )


def by_name(couple: Couple) -> dict[str, str]:
    return {a.partner_name: a.text for a in stored(couple)}


def test_a_correction_left_for_another_request_is_said_and_files_nothing(couple: Couple) -> None:
    """Maya: "that's not what I said"; then "what's tonight's question"; Jordan answers."""
    couple.onboard("maya", "jordan")
    couple.answer("the walk home")
    asked = couple.intent("CorrectAnswerIntent")
    assert says(asked, "answer.correct_ask", name="Maya") and couple.awaiting == "correction"
    left = couple.intent("TonightQuestionIntent")
    assert says(left, "answer.correction_left", name="Maya")
    assert "Jordan" in left.text and couple.awaiting == "answer"  # back to Jordan's turn
    heard = couple.answer("the quiet breakfast")
    assert says(heard, "answer.heard", name="Jordan", answer="the quiet breakfast")
    assert by_name(couple) == {"Maya": "the walk home", "Jordan": "the quiet breakfast"}


def test_pass_during_a_correction_keeps_the_answer_and_locks_nobody_out(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("the walk home")
    couple.intent("CorrectAnswerIntent")
    kept = couple.intent("SkipIntent")  # "pass": never mind the correction
    assert says(kept, "answer.kept_as_it_was", name="Maya")
    assert not says(kept, "skip.partner_passes", name="Jordan")
    assert couple.awaiting == "answer"
    couple.answer("our sunday walk")
    assert by_name(couple) == {"Maya": "the walk home", "Jordan": "our sunday walk"}


def test_a_correction_replaces_the_right_partners_answer(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("patiance")
    couple.intent("CorrectAnswerIntent")
    fixed = couple.answer("patience")
    assert says(fixed, "answer.corrected", name="Maya", answer="patience")
    assert says(fixed, "answer.next_turn", other="Jordan")
    couple.answer("your laugh")
    assert by_name(couple) == {"Maya": "patience", "Jordan": "your laugh"}
    assert len(stored(couple)) == 2


def test_a_correction_said_with_the_new_words_replaces_that_partners_answer(
    couple: Couple,
) -> None:
    """Maya, misheard, corrects in one breath right after her answer is said back: her
    answer changes; Jordan's turn is still to come (it was filed as Jordan's before)."""
    couple.onboard("maya", "jordan")
    couple.answer("the way he hums when he makes the cheese")
    fixed = couple.answer("no that's wrong i said the way he hums when he makes the tea")
    new = "the way he hums when he makes the tea"
    assert says(fixed, "answer.corrected", name="Maya", answer=new)
    assert says(fixed, "answer.next_turn", other="Jordan") and couple.awaiting == "answer"
    assert by_name(couple) == {"Maya": new}
    again = couple.answer("um sorry i meant his terrible puns")  # and once more
    assert says(again, "answer.corrected", name="Maya", answer="his terrible puns")
    couple.answer("your laugh")
    assert by_name(couple) == {"Maya": "his terrible puns", "Jordan": "your laugh"}
    assert len(stored(couple)) == 2


@pytest.mark.parametrize(
    "said",
    [
        "you've got that all mixed up i said the way he hums",
        "close but not quite it's the way he hums",
        "sorry you've got hold of the wrong end of the stick it was the way he hums",
        "you understood wrong i told the way he hums",
        "no that's someone else's answer mine is the way he hums",
    ],
)
def test_a_correction_opened_in_other_words_replaces_that_partners_answer(
    couple: Couple, said: str
) -> None:
    """Openings a development set of other hands' corrections taught (openings_restated.tsv)."""
    couple.onboard("maya", "jordan")
    couple.answer("the way he comes")
    fixed = couple.answer(said)
    assert says(fixed, "answer.corrected", name="Maya", answer="the way he hums")
    assert couple.awaiting == "answer" and by_name(couple) == {"Maya": "the way he hums"}


def test_scratch_that_itch_is_an_answer_not_a_correction(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("the walk home")
    said = "scratch that itch of travelling together"
    assert says(couple.answer(said), "answer.heard", name="Jordan", answer=said)
    assert by_name(couple) == {"Maya": "the walk home", "Jordan": said}


def test_new_words_said_while_a_correction_is_awaited_are_the_correction(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("patiance")
    couple.intent("CorrectAnswerIntent")
    fixed = couple.answer("no you misheard me i said patience")
    assert says(fixed, "answer.corrected", name="Maya", answer="patience")
    assert by_name(couple) == {"Maya": "patience"}


def test_a_correction_whose_new_words_ask_for_something_else_asks_again(couple: Couple) -> None:
    """ "That's wrong, I said let me think": a correction, with no new words yet."""
    couple.onboard("maya", "jordan")
    couple.answer("the walk home")
    asked = couple.answer("that's wrong i said something else")
    assert says(asked, "answer.correct_ask", name="Maya") and couple.awaiting == "correction"
    assert by_name(couple) == {"Maya": "the walk home"}


def test_an_answer_that_only_sounds_like_a_correction_is_the_next_partners(
    couple: Couple,
) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("the walk home")
    heard = couple.answer("i meant every word of my vows")
    assert says(heard, "answer.heard", name="Jordan", answer="i meant every word of my vows")
    assert by_name(couple) == {"Maya": "the walk home", "Jordan": "i meant every word of my vows"}


def test_new_words_after_a_bare_no_are_a_correction_only_when_she_says_so(
    couple: Couple,
) -> None:
    """ "Nope, the lake house": Maya's correction, or Jordan's answer? The skill asks."""
    couple.onboard("maya", "jordan")
    couple.answer("the lake")
    asked = couple.answer("nope the lake house")
    assert says(asked, "answer.correction_confirm", name="Maya", answer="the lake house")
    assert couple.awaiting == "correction_confirm" and by_name(couple) == {"Maya": "the lake"}
    fixed = couple.intent("AMAZON.YesIntent")
    assert says(fixed, "answer.corrected", name="Maya", answer="the lake house")
    assert says(fixed, "answer.next_turn", other="Jordan") and couple.awaiting == "answer"
    assert by_name(couple) == {"Maya": "the lake house"}


def test_words_after_a_bare_no_with_nothing_to_correct_are_the_answer(couple: Couple) -> None:
    """The evening's first answer, "nah mate it's the way she laughs": nothing to correct,
    so it is Maya's answer, as said (it was "nothing to change yet", and dropped)."""
    couple.onboard("maya", "jordan")
    heard = couple.answer("nah mate it's the way she laughs")
    assert says(heard, "answer.heard", name="Maya", answer="nah mate it's the way she laughs")
    assert by_name(couple) == {"Maya": "nah mate it's the way she laughs"}


@pytest.mark.parametrize("said", ["wait no", "hang on no", "oh wait no", "no hold on"])
def test_a_retraction_said_alone_is_a_moment_not_an_answer(couple: Couple, said: str) -> None:
    """Heard in stagewise chat: "wait no" was kept as Jordan's answer."""
    couple.onboard("maya", "jordan")
    couple.answer("the walk home")
    reply = couple.answer(said)
    assert says(reply, "answer.take_time", name="Jordan") and couple.awaiting == "answer"
    assert by_name(couple) == {"Maya": "the walk home"}


def test_a_no_to_the_question_files_all_that_was_said_as_the_next_partners(
    couple: Couple,
) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("the lake")
    couple.answer("nope the lake house")
    kept = couple.intent("AMAZON.NoIntent")
    assert says(kept, "answer.heard", name="Jordan", answer="nope the lake house")
    assert by_name(couple) == {"Maya": "the lake", "Jordan": "nope the lake house"}
    assert len(stored(couple)) == 2


def test_leaving_the_question_keeps_her_answer_and_files_nothing(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("the lake")
    couple.answer("nope the lake house")
    left = couple.intent("TonightQuestionIntent")
    assert says(left, "answer.kept_as_it_was", name="Maya")
    assert "Jordan" in left.text and couple.awaiting == "answer"
    assert by_name(couple) == {"Maya": "the lake"}


def test_a_contrast_with_the_words_said_back_is_surely_a_correction(couple: Couple) -> None:
    """ "Knitting, not kitting" right after "kitting" was said back: no question."""
    couple.onboard("maya", "jordan")
    couple.answer("kitting together on sundays")
    fixed = couple.answer("no knitting not kitting")
    assert says(fixed, "answer.corrected", name="Maya", answer="knitting")
    assert by_name(couple) == {"Maya": "knitting"}


def test_a_correction_after_a_rename_files_the_answer_under_the_new_name(couple: Couple) -> None:
    """Maya corrects her answer; meanwhile the names change (on another Echo, say)."""
    couple.onboard("maya", "jordan")
    couple.answer("the walk home")
    couple.intent("CorrectAnswerIntent")
    store = couple.app.services.store
    profile = store.get_profile(couple.device.user_id)
    assert profile is not None
    store.put_profile(profile.with_changes(partner_a="May"))
    fixed = couple.answer("the walk to the lake")
    assert says(fixed, "answer.corrected", name="May", answer="the walk to the lake")
    assert by_name(couple) == {"May": "the walk to the lake"}


@pytest.mark.parametrize("heard", ["yes", "what is this", "coffee and cake", "no"])
def test_what_is_not_a_name_never_becomes_one(couple: Couple, heard: str) -> None:
    """While names are asked, Alexa may fill the name slot with anything."""
    couple.launch()
    reply = couple.intent("NamesIntent", first_name=heard)
    assert says(reply, "onboarding.name_missed") and couple.awaiting == "name"
    assert heard.title() not in reply.text
    assert couple.app.services.store.get_profile(couple.device.user_id) is None


def test_an_everyday_word_as_a_name_is_confirmed_first(couple: Couple) -> None:
    couple.launch()
    confirm = couple.intent("NamesIntent", first_name="hope")
    assert says(confirm, "onboarding.confirm_name", name="Hope") and confirm.elicits is None
    kept = couple.intent("AMAZON.YesIntent")
    assert says(kept, "onboarding.ask_second_name", name_a="Hope")


def test_an_answer_that_sounds_like_two_names_is_the_answer(couple: Couple) -> None:
    """ "coffee and cake" arriving as NamesIntent{coffee, cake} while an answer is awaited."""
    couple.onboard("maya", "jordan")
    reply = couple.intent("NamesIntent", first_name="coffee", second_name="cake")
    assert says(reply, "answer.heard", name="Maya", answer="coffee and cake")
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and (profile.partner_a, profile.partner_b) == ("Maya", "Jordan")
    assert by_name(couple) == {"Maya": "coffee and cake"}


def test_tonights_question_while_meeting_keeps_the_names_heard(couple: Couple) -> None:
    """ "What's tonight's question" before a stage is chosen: both names stay, no "hello again"."""
    couple.launch()
    couple.intent("NamesIntent", first_name="priya")
    confirm = couple.intent("NamesIntent", first_name="hope")  # an everyday word: confirmed
    assert says(confirm, "onboarding.confirm_name", name="Hope")
    early = couple.intent("TonightQuestionIntent")
    assert says(early, "onboarding.question_after_names")
    assert says(early, "onboarding.confirm_name", name="Hope") and "Priya" not in early.text
    offered = couple.intent("AMAZON.YesIntent")
    assert "Priya" in offered.text and "Hope" in offered.text
    again = couple.intent("TonightQuestionIntent")
    assert says(again, "onboarding.question_after_stage")
    assert says(again, "onboarding.offer_stage_reprompt") and couple.awaiting == "stage_choice"
    started = couple.intent("AMAZON.YesIntent")
    assert couple.awaiting == "answer" and "Priya" in started.text
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and (profile.partner_a, profile.partner_b) == ("Priya", "Hope")


@pytest.mark.parametrize("heard", ["er", "yes please"])
def test_what_is_not_a_name_while_choosing_a_stage_keeps_both_names(
    couple: Couple, heard: str
) -> None:
    couple.launch()
    couple.intent("NamesIntent", first_name="priya")
    couple.intent("NamesIntent", first_name="jordan")
    missed = couple.intent("NamesIntent", first_name=heard)
    assert says(missed, "onboarding.offer_stage_reprompt") and couple.awaiting == "stage_choice"
    assert "name" not in missed.text.lower()
    couple.intent("AMAZON.YesIntent")
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and (profile.partner_a, profile.partner_b) == ("Priya", "Jordan")


def test_a_missed_second_name_is_asked_once(couple: Couple) -> None:
    couple.launch()
    couple.intent("NamesIntent", first_name="priya")
    missed = couple.intent("NamesIntent", first_name="what is this")
    assert says(missed, "onboarding.name_missed") and missed.text.count("?") == 1
    assert says(missed, "onboarding.ask_second_name_reprompt")


@pytest.mark.parametrize(
    ("intent", "why"),
    [("AMAZON.FallbackIntent", "fallback.name"), ("AMAZON.YesIntent", "unclear.name")],
)
def test_a_miss_after_one_name_asks_for_the_partners(couple: Couple, intent: str, why: str) -> None:
    """One name kept: a miss or a stray yes asks for the partner's name, once, never for
    "one of your first names" as if nothing were heard."""
    couple.launch()
    couple.intent("NamesIntent", first_name="priya")
    missed = couple.intent(intent)
    assert says(missed, why) and says(missed, "onboarding.ask_second_name_reprompt")
    assert missed.text.count("?") == 1


def test_names_change_only_after_a_rename_and_a_yes(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.later(hours=1)
    asked = couple.intent("NamesIntent", new_session=True, first_name="sam", second_name="alex")
    assert says(asked, "rename.confirm", name_a="Sam", name_b="Alex")
    couple.intent("AMAZON.NoIntent")
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and profile.partner_a == "Maya"


def test_keep_that_one_after_a_one_shot_recap(couple: Couple) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("the lake")
    couple.answer("the boat")
    couple.later(days=1)
    recap = couple.intent("RecapLastTimeIntent", new_session=True)
    assert says(recap, "memory.keep_offer") and not recap.ended
    kept = couple.intent("FavouriteIntent")  # "keep that one"
    assert says(kept, "memory.favourite_kept")
    profile = couple.app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and len(profile.journey.favourites) == 1
