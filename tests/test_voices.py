"""Two voices told apart: answers filed under whoever speaks; guests never filed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from skill.app import Stagewise
from skill.content import load_content
from skill.records import Answer
from stagewise_tools import alexa_requests as alexa
from tests.conversation import Couple, Reply

CONTENT = load_content()
MAYA, JORDAN, GUEST = alexa.person_id("maya"), alexa.person_id("jordan"), alexa.person_id("kid")
EVER = datetime(2020, 1, 1, tzinfo=UTC)


def says(reply: Reply, key: str, **values: object) -> bool:
    return any(v.format(**values) in reply.text for v in CONTENT.variants(key))


def stored(app: Stagewise) -> list[Answer]:
    return app.services.store.answers(
        "amzn1.ask.account.test-couple", start=EVER, until=EVER + timedelta(days=3650), limit=100
    )


def voices(app: Stagewise) -> dict[str, str]:
    profile = app.services.store.get_profile("amzn1.ask.account.test-couple")
    assert profile is not None
    return profile.voices


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
