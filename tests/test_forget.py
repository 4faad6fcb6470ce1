"""Deleting by voice: confirmed first, said truthfully after, and really gone from the table."""

from __future__ import annotations

from typing import Any

import pytest

from skill.app import Stagewise, build_skill
from skill.config import Settings
from skill.content import load_content
from skill.store import DeletionIncomplete, StorageError
from skill.store.sqlite import SqliteStore
from tests.conversation import Couple, says
from tests.test_conversation import EVER, stored

CONTENT = load_content()


def evening(couple: Couple) -> None:
    couple.onboard()
    couple.answer("the lake house")
    couple.answer("your laugh")


def test_forget_everything_after_a_yes_leaves_nothing_of_the_household(
    couple: Couple, app: Stagewise
) -> None:
    evening(couple)
    neighbours = Couple(app, user_id="amzn1.ask.account.neighbours")
    evening(neighbours)
    ask = couple.intent("DeleteAllIntent", new_session=True)
    assert says(ask, "forget.confirm_all") and not ask.ended
    assert len(stored(app)) == 2  # nothing goes before the yes
    done = couple.intent("AMAZON.YesIntent")
    assert says(done, "forget.done_all", count=2) and done.ended
    assert stored(app) == [] and app.services.store.get_profile(couple.device.user_id) is None
    assert len(stored(app, neighbours.device.user_id)) == 2  # only theirs
    again = couple.launch()
    assert says(again, "onboarding.welcome")  # a new couple to the skill


def test_a_no_deletes_nothing(couple: Couple, app: Stagewise) -> None:
    evening(couple)
    couple.intent("DeleteAllIntent", new_session=True)
    kept = couple.intent("AMAZON.NoIntent")
    assert says(kept, "forget.kept") and len(stored(app)) == 2
    assert app.services.store.get_profile(couple.device.user_id) is not None


def test_delete_my_last_answer_names_it_then_lets_that_partner_answer_again(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    couple.answer("something i regret saying")
    ask = couple.intent("DeleteLastAnswerIntent")
    assert says(ask, "forget.confirm_last", name="Sam", answer="something i regret saying")
    done = couple.intent("AMAZON.YesIntent")
    assert says(done, "forget.done_last", name="Sam") and stored(app) == []
    resumed = couple.intent("TonightQuestionIntent", new_session=True)
    assert says(resumed, "question.resume", question=CONTENT.questions[1][0].text, name="Sam")
    couple.answer("what i meant")
    assert [(a.partner_name, a.text) for a in stored(app)] == [("Sam", "what i meant")]


def test_delete_tonights_answers_takes_both_and_the_evening_no_longer_counts(
    couple: Couple, app: Stagewise
) -> None:
    evening(couple)
    before = app.services.store.get_profile(couple.device.user_id)
    assert before is not None and before.completed_in(1) == 1
    ask = couple.intent("DeleteTonightIntent", new_session=True)
    assert says(ask, "forget.confirm_tonight", count=2)
    done = couple.intent("AMAZON.YesIntent")
    assert says(done, "forget.done_tonight", count=2) and stored(app) == []
    after = app.services.store.get_profile(couple.device.user_id)
    assert after is not None and after.completed_in(1) == 0
    assert after.current is not None and after.current.answered == ()


def test_delete_our_answers_said_instead_of_an_answer_asks_first_and_stores_nothing(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    couple.answer("mine")
    ask = couple.answer("delete our answers")
    assert says(ask, "forget.confirm_all") and [a.text for a in stored(app)] == ["mine"]


class RefusingDeletes(SqliteStore):
    def delete_household(self, household_id: str) -> int:
        raise DeletionIncomplete("DynamoDB kept items unprocessed", "UnprocessedItems")

    def begin_deletion(self, household_id: str, since: Any) -> None:
        raise StorageError("DynamoDB write failed (InternalServerError)", "500")

    def delete_answers(self, household_id: str, answers: Any, profile: Any) -> Any:
        raise StorageError("DynamoDB delete failed (InternalServerError)", "500")


@pytest.mark.parametrize("intent", ["DeleteAllIntent", "DeleteTonightIntent"])
def test_a_deletion_that_fails_is_told_as_a_failure(tmp_path: Any, intent: str) -> None:
    store = RefusingDeletes(tmp_path / "s.db")
    app = build_skill(Settings(store_url="sqlite:///:memory:"), store=store)
    couple = Couple(app)
    evening(couple)
    couple.intent(intent, new_session=True)
    reply = couple.intent("AMAZON.YesIntent")
    assert says(reply, "forget.failed") and not says(reply, "forget.done_all", count=2)
    assert len(store.answers(couple.device.user_id, start=EVER, until=couple.now, limit=9)) == 2


def test_tonight_is_the_couples_own_evening_when_deleting(
    sqlite_store: SqliteStore, settings: Settings
) -> None:
    """Chicago, 18:30 on Friday is 00:30 UTC on Saturday: on Saturday evening, 'delete
    tonight's answers' must not take Friday's."""
    from tests.test_local_time import at, couple_in

    couple, _ = couple_in(
        sqlite_store, settings, "America/Chicago", at("America/Chicago", 2026, 11, 20, 18, 0)
    )
    couple.onboard()
    couple.answer("friday sam")
    couple.answer("friday alex")
    couple.now = at("America/Chicago", 2026, 11, 21, 19, 0)
    couple.device.end_session()
    reply = couple.intent("DeleteTonightIntent", new_session=True)
    assert says(reply, "forget.nothing_tonight")
    kept = sqlite_store.answers(couple.device.user_id, start=EVER, until=couple.now, limit=9)
    assert sorted(a.text for a in kept) == ["friday alex", "friday sam"]
