"""The ritual's rules as plain functions: which question tonight, progress, stage moves.

What is said besides the question is rationed so a year of evenings does not repeat
itself: the stage description on a stage's first evening, its short reminder and a
growth tip each at most once a week, and a suggestion to move on at most once a week.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from skill.content import STAGE_COUNT, Content, Question
from skill.records import PARTNERS, CurrentQuestion, Profile

SUGGEST_NEXT_AFTER = 7  # questions both answered in a stage before we suggest moving on
WEEK = 7  # days between reminders, tips and suggestions


@dataclass(frozen=True)
class Tonight:
    """Tonight's question for a household, and how to introduce it."""

    profile: Profile  # with the question recorded as asked
    question: Question
    status: str  # "new": just chosen; "resume": one partner still to answer; "done": both answered
    first_in_stage: bool = False
    reminder: bool = False  # say the stage's one-line reminder
    tip: str | None = None  # the growth tip to give, if one is due


def tonight(profile: Profile, content: Content, day: date) -> Tonight:
    """Same question all evening; a new evening takes the stage's next unasked question."""
    current = profile.current
    if current and current.day == day:
        question = content.question(current.question_id)
        if question is not None:
            status = "done" if current.pending is None else "resume"
            return Tonight(profile=profile, question=question, status=status)
    return next_question(profile, content, day)


def next_question(profile: Profile, content: Content, day: date, *, extras: bool = True) -> Tonight:
    """Pick the stage's next unasked question (bank order) and record it.

    `extras` False (a skip): just the question, no reminder or tip said again.
    """
    stage = profile.stage
    bank = content.questions[stage]
    asked = profile.asked_in(stage)
    first_in_stage = not asked and profile.completed_in(stage) == 0
    remaining = [q for q in bank if q.id not in asked]
    if not remaining:  # the bank is used up: start it again
        asked, remaining = (), list(bank)
    question = remaining[0]
    updated = profile.with_changes(
        asked={**profile.asked, stage: (*asked, question.id)},
        current=CurrentQuestion(question_id=question.id, stage=stage, day=day),
    )
    reminder, tip_text = False, None
    if first_in_stage:
        updated = updated.with_changes(reminder_on=day)  # the description says it all
    elif extras:
        if _due(profile.reminder_on, day):
            reminder = True
            updated = updated.with_changes(reminder_on=day)
        if _due(profile.tip_on, day):
            tips = content.stage(stage).tips
            tip_text = tips[profile.tip_turn % len(tips)]
            updated = updated.with_changes(tip_on=day, tip_turn=profile.tip_turn + 1)
    return Tonight(
        profile=updated,
        question=question,
        status="new",
        first_in_stage=first_in_stage,
        reminder=reminder,
        tip=tip_text,
    )


def another_question(profile: Profile, content: Content, day: date) -> Tonight:
    """A skip: the next question, with nothing said again."""
    return next_question(profile, content, day, extras=False)


def _due(last: date | None, day: date) -> bool:
    return last is None or (day - last).days >= WEEK or day < last


def current_tip(profile: Profile, content: Content) -> str:
    """The tip the couple heard most recently (or the first one), for "what stage are we in"."""
    tips = content.stage(profile.stage).tips
    return tips[max(profile.tip_turn - 1, 0) % len(tips)]


def record_answer(profile: Profile, partner: str, day: date | None = None) -> Profile:
    """Mark a partner's answer; once both answered, count it and maybe note a suggestion."""
    current = profile.current
    if current is None or partner in current.answered:
        return profile
    answered = tuple(p for p in PARTNERS if p in current.answered or p == partner)
    completed = dict(profile.completed)
    changed = profile.with_changes(current=replace(current, answered=answered))
    if len(answered) == len(PARTNERS):
        completed[current.stage] = completed.get(current.stage, 0) + 1
        changed = changed.with_changes(completed=completed)
        if day is not None and suggests_next_stage(changed, day):
            changed = changed.with_changes(suggested_on=day)
    return changed


def pass_question(profile: Profile) -> Profile:
    """The second partner passes: tonight's question is done without their answer."""
    current = profile.current
    if current is None:
        return profile
    return profile.with_changes(current=replace(current, answered=PARTNERS))


def suggests_next_stage(profile: Profile, day: date) -> bool:
    """After enough shared questions, suggest (never make) a move, at most once a week."""
    done = profile.completed_in(profile.stage)
    if profile.stage >= STAGE_COUNT or done < SUGGEST_NEXT_AFTER:
        return False
    if profile.journey.declined_stage == profile.stage:  # they said no here: never again
        return False
    return _due(profile.suggested_on, day)


def change_stage(profile: Profile, stage: int) -> Profile:
    """Move to a stage; tonight's question stays tonight's, answered or not."""
    return profile.with_changes(stage=stage)


def valid_stage(number: int | None) -> bool:
    return number is not None and 1 <= number <= STAGE_COUNT
