"""The ritual's rules as plain functions: which question tonight, progress, recap windows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from skill.content import STAGE_COUNT, Content, Question
from skill.records import PARTNERS, Answer, CurrentQuestion, Profile

SUGGEST_NEXT_AFTER = 7  # questions both answered in a stage before we suggest moving on
SUGGEST_AGAIN_EVERY = 5
RECAP_QUESTIONS_PER_TURN = 3
RECAP_DEFAULT_DAYS = 7


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


@dataclass(frozen=True)
class Window:
    """A recap period: answers in [start, until)."""

    start: datetime
    until: datetime
    kind: str  # "recent", "day", "week", "weekend", "month", "year"


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})(-WE)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


def recap_window(value: str | None, now: datetime) -> Window:
    """Turn an AMAZON.DATE value into a window; none (or one we can't use) means the last week."""
    now = now.astimezone(UTC)
    # Whole days: a couple who answered last Sunday at 8 and asks this Sunday at 7 still hears it.
    recent = Window(_midnight(now.date() - timedelta(days=RECAP_DEFAULT_DAYS)), now, "recent")
    if not value:
        return recent
    try:
        window = _parse_period(value.strip().upper())
    except ValueError:
        return recent
    if window is None:
        return recent
    if window.start >= now:  # the future: nothing said yet
        return Window(window.start, window.start, window.kind)
    if window.kind == "week" and window.until >= now - timedelta(days=RECAP_DEFAULT_DAYS):
        # "What did we say last week" on a Saturday means the last few days too:
        # read from the start of that week up to now, newest first.
        return Window(window.start, now, "since")
    return Window(window.start, min(window.until, now), window.kind)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _parse_period(value: str) -> Window | None:
    if match := _DAY.match(value):
        day = date(int(match[1]), int(match[2]), int(match[3]))
        return Window(_midnight(day), _midnight(day + timedelta(days=1)), "day")
    if match := _WEEK.match(value):
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        if match[3]:
            saturday = monday + timedelta(days=5)
            return Window(_midnight(saturday), _midnight(saturday + timedelta(days=2)), "weekend")
        return Window(_midnight(monday), _midnight(monday + timedelta(days=7)), "week")
    if match := _MONTH.match(value):
        first = date(int(match[1]), int(match[2]), 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Window(_midnight(first), _midnight(following), "month")
    if match := _YEAR.match(value):
        year = int(match[1])
        return Window(_midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1)), "year")
    return None


@dataclass(frozen=True)
class RecapItem:
    """One question in a recap with the answers given to it, partner A first."""

    question_text: str
    stage: int
    day: date
    answers: tuple[Answer, ...]


def group_answers(answers: list[Answer]) -> list[RecapItem]:
    """Group newest-first answers by question and day, keeping newest questions first."""
    items: list[RecapItem] = []
    for answer in answers:
        last = items[-1] if items else None
        if last and last.day == answer.day and last.answers[0].question_id == answer.question_id:
            ordered = sorted((*last.answers, answer), key=lambda a: (a.partner, a.answered_at))
            items[-1] = RecapItem(last.question_text, last.stage, last.day, tuple(ordered))
        else:
            items.append(RecapItem(answer.question_text, answer.stage, answer.day, (answer,)))
    return items
