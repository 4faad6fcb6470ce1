"""Two voices told apart: answers filed under whoever speaks; guests never filed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skill.app import Stagewise
from skill.content import load_content
from skill.records import Answer, voice_key
from stagewise_tools import alexa_requests as alexa
from tests.conversation import Couple, named_twice, says

CONTENT = load_content()
MAYA, JORDAN, GUEST = alexa.person_id("maya"), alexa.person_id("jordan"), alexa.person_id("kid")
EVER = datetime(2020, 1, 1, tzinfo=UTC)


def stored(app: Stagewise) -> list[Answer]:
    return app.services.store.answers(
        "amzn1.ask.account.test-couple", start=EVER, until=EVER + timedelta(days=3650), limit=100
    )


def voices(app: Stagewise) -> dict[str, str]:
    """Who each known voice is, by person ID; the profile itself keeps only their keys."""
    profile = app.services.store.get_profile("amzn1.ask.account.test-couple")
    assert profile is not None
    renewed = alexa.person_id("maya-renewed")
    known = {voice_key(person): person for person in (MAYA, JORDAN, GUEST, renewed)}
    assert set(profile.voices) <= set(known)  # never the person ID itself
    return {known[key]: partner for key, partner in profile.voices.items()}


def as_voice(couple: Couple, person_id: str | None) -> Couple:
    couple.device.person_id = person_id
    return couple


def met_by_voice(couple: Couple) -> None:
    """Maya and Jordan onboarded, then each voice learned on a later evening."""
    couple.onboard("maya", "jordan")
    couple.later(days=1)
    as_voice(couple, JORDAN).launch()
    couple.intent("NamesIntent", first_name="jordan")
    couple.answer("jordan one")
    as_voice(couple, MAYA).answer("maya one")  # a new voice: asked "is this Maya?"
    couple.intent("AMAZON.YesIntent")
    couple.later(days=1)


def test_a_new_voice_is_asked_once_then_answers_file_by_voice_in_any_order(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard("maya", "jordan")
    couple.later(days=1)
    asked = as_voice(couple, JORDAN).launch()
    assert says(asked, "voices.which", name_a="Maya", name_b="Jordan")
    assert asked.elicits == "first_name"
    learned = couple.intent("NamesIntent", first_name="jordan")
    assert says(learned, "voices.learned", name="Jordan")
    assert says(learned, "question.you_first", name="Jordan")  # the speaker goes first
    couple.answer("your patience")
    held = as_voice(couple, MAYA).answer("your laugh")
    assert says(held, "voices.is_it", name="Maya")
    assert len(stored(app)) == 1  # nothing filed on a guess
    filed = couple.intent("AMAZON.YesIntent")
    assert says(filed, "answer.both_saved")
    assert voices(app) == {JORDAN: "b", MAYA: "a"}
    by_name = {a.partner_name: a.text for a in stored(app)}
    assert by_name == {"Jordan": "your patience", "Maya": "your laugh"}

    # Next evening: no names, no questions; each answer goes to whoever said it.
    couple.later(days=1)
    greeted = as_voice(couple, MAYA).launch()
    assert says(greeted, "voices.welcome_back", name="Maya")
    as_voice(couple, JORDAN).answer("jordan's answer tonight")
    again = couple.answer("jordan twice")
    assert says(again, "answer.already_answered", name="Jordan", other="Maya")
    as_voice(couple, MAYA).answer("maya second")
    tonight = [a for a in stored(app) if a.answered_at.date() == couple.now.date()]
    assert {a.partner_name: a.text for a in tonight} == {
        "Jordan": "jordan's answer tonight",
        "Maya": "maya second",
    }


def test_an_unknown_voice_is_asked_who_it_is_and_its_answer_is_never_filed(
    couple: Couple, app: Stagewise
) -> None:
    met_by_voice(couple)
    as_voice(couple, MAYA).launch()
    before = len(stored(app))
    asked = as_voice(couple, GUEST).answer("i like ice cream")
    assert says(asked, "voices.who_guest")
    reply = couple.intent("NamesIntent", first_name="lily")
    assert says(reply, "voices.guest", guest="Lily", name_a="Maya", name_b="Jordan")
    assert len(stored(app)) == before
    assert GUEST not in voices(app)
    # The partners carry on, by voice.
    as_voice(couple, MAYA).answer("maya two")
    assert {a.partner_name for a in stored(app)[:1]} == {"Maya"}


def test_a_stated_name_from_an_unknown_voice_is_filed_but_not_learned(
    couple: Couple, app: Stagewise
) -> None:
    met_by_voice(couple)
    as_voice(couple, MAYA).launch()
    as_voice(couple, GUEST).answer("jordan from the kitchen speaker")
    couple.intent("NamesIntent", first_name="jordan")
    assert stored(app)[0].partner_name == "Jordan"
    assert voices(app) == {JORDAN: "b", MAYA: "a"}


def test_me_first_im_jordan_teaches_the_voice(couple: Couple, app: Stagewise) -> None:
    couple.onboard("maya", "jordan")
    as_voice(couple, JORDAN).answer("me first i'm jordan")
    reply = couple.answer("the way you hum")
    assert "the way you hum" in reply.text and says(reply, "answer.next_turn", other="Maya")
    assert voices(app) == {JORDAN: "b"}
    assert stored(app)[0].partner_name == "Jordan"


def test_without_voice_profiles_partners_take_turns_by_name(couple: Couple, app: Stagewise) -> None:
    couple.onboard("maya", "jordan")
    couple.answer("first answer")
    couple.answer("second answer")
    assert [a.partner_name for a in reversed(stored(app))] == ["Maya", "Jordan"]
    assert voices(app) == {}


def test_forget_my_voice_removes_the_mapping_and_keeps_the_answers(
    couple: Couple, app: Stagewise
) -> None:
    met_by_voice(couple)
    answers = len(stored(app))
    reply = as_voice(couple, JORDAN).intent("ForgetVoiceIntent", new_session=True)
    assert says(reply, "voices.forgotten", name="Jordan")
    assert voices(app) == {MAYA: "a"}
    assert len(stored(app)) == answers
    again = as_voice(couple, JORDAN).launch()
    assert says(again, "voices.is_it", name="Jordan")  # asked afresh, never assumed
    nothing = as_voice(couple, None).intent("ForgetVoiceIntent", new_session=True)
    assert says(nothing, "voices.no_voice")


def test_forget_my_voice_said_while_an_answer_is_awaited_is_not_an_answer(
    couple: Couple, app: Stagewise
) -> None:
    met_by_voice(couple)
    as_voice(couple, MAYA).launch()
    before = len(stored(app))
    reply = couple.answer("forget my voice")
    assert says(reply, "voices.forgotten", name="Maya")
    assert not reply.ended and reply.elicits == "answer"
    assert len(stored(app)) == before and voices(app) == {JORDAN: "b"}


def test_is_this_jordan_takes_thats_me_and_no_its_dani(couple: Couple, app: Stagewise) -> None:
    """Issue 17: "Is this Jordan?" is a yes/no question: it elicits no slot, "that's me" is a
    yes, and "no, it's Dani" names someone else (a guest: nothing of theirs is kept)."""
    met_by_voice(couple)
    couple.later(days=1)
    profile = app.services.store.get_profile("amzn1.ask.account.test-couple")
    assert profile is not None
    forget = as_voice(couple, JORDAN).intent("ForgetVoiceIntent", new_session=True)
    assert says(forget, "voices.forgotten", name="Jordan")
    asked = as_voice(couple, JORDAN).launch()
    assert says(asked, "voices.is_it", name="Jordan") and asked.elicits is None
    # "that's me" is one of AMAZON.YesIntent's samples in the model: Alexa sends a yes.
    learned = couple.intent("AMAZON.YesIntent")
    assert says(learned, "voices.learned", name="Jordan") and voices(app)[JORDAN] == "b"
    as_voice(couple, MAYA).intent("ForgetVoiceIntent", new_session=True)
    again = as_voice(couple, GUEST).launch()
    assert says(again, "voices.is_it", name="Maya")
    guest = couple.intent("NamesIntent", first_name="dani")  # "no, it's dani"
    assert says(guest, "voices.guest_hello", guest="Dani", name_a="Maya", name_b="Jordan")
    assert GUEST not in voices(app)


def test_yes_in_the_name_slot_is_a_yes_not_a_name(couple: Couple, app: Stagewise) -> None:
    """Alexa may fill the name slot with "yes" or "that's me": never "Nice to meet you, Yes"."""
    met_by_voice(couple)
    as_voice(couple, JORDAN).intent("ForgetVoiceIntent", new_session=True)
    as_voice(couple, JORDAN).launch()
    reply = couple.intent("NamesIntent", first_name="that's me")
    assert says(reply, "voices.learned", name="Jordan")
    assert "Yes" not in reply.text and "That's Me" not in reply.text


def test_an_unknown_voice_is_asked_once_a_session_then_turns_go_by_name(
    couple: Couple, app: Stagewise
) -> None:
    """A voice enrolled again in the Alexa app is not asked on every turn: once, then the
    partners take turns by name; "forget my voice" from it clears the stale match."""
    met_by_voice(couple)
    renewed = alexa.person_id("maya-renewed")
    asked = as_voice(couple, renewed).launch()
    assert says(asked, "voices.which", name_a="Maya", name_b="Jordan") or says(
        asked, "voices.who_guest"
    )
    named = couple.intent("NamesIntent", first_name="maya")
    assert says(named, "voices.thanks", name="Maya")  # known by name; the voice not learned
    as_voice(couple, JORDAN).answer("jordan tonight")
    filed = as_voice(couple, renewed).answer("maya tonight")  # not asked again this session
    assert says(filed, "answer.heard", name="Maya", answer="maya tonight")
    assert voices(app) == {JORDAN: "b", MAYA: "a"}
    # "forget my voice" from the renewed voice: asked whose, and the stale match goes.
    couple.later(minutes=5)
    asked = as_voice(couple, renewed).intent("ForgetVoiceIntent", new_session=True)
    assert says(asked, "voices.forget_whose") and asked.elicits == "first_name"
    cleared = couple.intent("NamesIntent", first_name="maya")
    assert says(cleared, "voices.forgotten", name="Maya")
    assert MAYA not in voices(app) and voices(app)[JORDAN] == "b"
    couple.later(minutes=5)
    learned = as_voice(couple, renewed).launch()  # now learned afresh
    assert says(learned, "voices.is_it", name="Maya")
    couple.intent("AMAZON.YesIntent")
    assert voices(app) == {JORDAN: "b", renewed: "a"}


def test_a_voice_not_known_yet_is_greeted_without_the_names_it_is_asked_between(
    couple: Couple,
) -> None:
    """ "Hello again, Maya and Jordan. Is this Maya or Jordan?" names each twice in a row."""
    couple.onboard("maya", "jordan")
    couple.both_answer(maya="one", jordan="two")
    couple.later(days=1)
    asked = as_voice(couple, "amzn1.ask.person.maya").launch()
    assert says(asked, "voices.which", name_a="Maya", name_b="Jordan")
    assert says(asked, "launch.hello") and not named_twice(asked.text, ("Maya", "Jordan"), ())
    couple.intent("NamesIntent", first_name="maya")
    couple.later(days=1)
    other = as_voice(couple, "amzn1.ask.person.jordan").launch()
    assert says(other, "voices.is_it", name="Jordan") and not named_twice(
        other.text, ("Maya", "Jordan"), ()
    )
