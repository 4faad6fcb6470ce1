"""The ritual's rules as plain functions: which question tonight, progress, stage moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from skill.content import STAGE_COUNT, Content, Question
from skill.records import PARTNERS, CurrentQuestion, Profile

SUGGEST_NEXT_AFTER = 7  # questions both answered in a stage before we suggest moving on
SUGGEST_AGAIN_EVERY = 5


@dataclass(frozen=True)
class Tonight:
    """Tonight's question for a household, and how to introduce it."""

    profile: Profile  # with the question recorded as asked
    question: Question
    status: str  # "new": just chosen; "resume": one partner still to answer; "done": both answered
    first_in_stage: bool = False


def tonight(profile: Profile, content: Content, day: date) -> Tonight:
    """Same question all day; a new day takes the stage's next unasked question."""
    current = profile.current
    if current and current.day == day:
        question = content.question(current.question_id)
        if question is not None:
            status = "done" if current.pending is None else "resume"
            return Tonight(profile=profile, question=question, status=status)
    return next_question(profile, content, day)


def next_question(profile: Profile, content: Content, day: date) -> Tonight:
    """Pick the stage's next unasked question (bank order: lighter first) and record it."""
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
        tip_turn=profile.tip_turn if first_in_stage else profile.tip_turn + 1,
    )
    return Tonight(profile=updated, question=question, status="new", first_in_stage=first_in_stage)


def tip(profile: Profile, content: Content) -> str:
    """Growth tips rotate, one per question."""
    tips = content.stage(profile.stage).tips
    return tips[profile.tip_turn % len(tips)]


def record_answer(profile: Profile, partner: str) -> Profile:
    """Mark a partner's answer to the current question; count the question once both answered."""
    current = profile.current
    if current is None or partner in current.answered:
        return profile
    answered = tuple(p for p in PARTNERS if p in current.answered or p == partner)
    completed = dict(profile.completed)
    if len(answered) == len(PARTNERS):
        completed[current.stage] = completed.get(current.stage, 0) + 1
    return profile.with_changes(
        current=CurrentQuestion(current.question_id, current.stage, current.day, answered),
        completed=completed,
    )


def pass_question(profile: Profile) -> Profile:
    """The second partner passes: tonight's question is done without their answer."""
    current = profile.current
    if current is None:
        return profile
    return profile.with_changes(
        current=CurrentQuestion(current.question_id, current.stage, current.day, PARTNERS)
    )


def suggests_next_stage(profile: Profile) -> bool:
    """After enough shared questions, suggest (never make) a move to the next stage."""
    done = profile.completed_in(profile.stage)
    if profile.stage >= STAGE_COUNT or done < SUGGEST_NEXT_AFTER:
        return False
    return (done - SUGGEST_NEXT_AFTER) % SUGGEST_AGAIN_EVERY == 0


def change_stage(profile: Profile, stage: int) -> Profile:
    """Move to a stage; a half-answered question stays so the other partner can finish it."""
    current = profile.current
    keep = current if current and current.answered and current.pending else None
    return profile.with_changes(stage=stage, current=keep)


def valid_stage(number: int | None) -> bool:
    return number is not None and 1 <= number <= STAGE_COUNT
