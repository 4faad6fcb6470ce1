"""Which question tonight, as plain functions: the order of the bank, progress, stage moves.

Which question (the promise the README makes, in evenings at one question a night):
- Each stage's bank is asked in its own order, one new question an evening, so a stage
  runs as many evenings as it has questions before any comes back; then its questions
  come round again in the same order, so none is ever heard twice within that many
  evenings. A skip counts as asked.
- Check-ins and seasonal questions (stage six, where couples stay) are not in that order.
  A check-in comes once a week (CHECKIN_EVERY), the check-ins taking turns, so each comes
  back only after all the others. In each season a seasonal question comes every two weeks
  (SEASONAL_EVERY), the season's own set taking turns; a season holds no more of them than
  its set has, so each is heard at most once a season. Seasons are the couple's own, by
  their evening's date, reversed in the southern hemisphere (`southern`).
- Where a couple is in each run is a `Place` (skill.records): a position, not a list of
  what was asked, so the profile stays the same size after years.

What is said besides the question is rationed so a year of evenings does not repeat
itself: the stage's short introduction on its first evening, its one-line reminder at
most once a week, a growth tip at most once in any seven local evenings whatever asks for
it (`give_tip`: tonight's question, "what stage are we in"; the weekly reconnect leaves it
to tonight's question), and a suggestion to move on at most once a week, said only on the
evening that records it. Who answers first takes turns, evening by evening
(`first_tonight`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import NamedTuple

from skill.content import SEASONS, STAGE_COUNT, Content, Question
from skill.records import PARTNERS, CurrentQuestion, Place, Profile

SUGGEST_NEXT_AFTER = 7  # questions both answered in a stage before we suggest moving on
WEEK = 7  # days between reminders, tips and suggestions
CHECKIN_EVERY = 7  # days from one check-in to the next
SEASONAL_EVERY = 14  # days from one seasonal question to the next, in its season
SEASON_DAYS = 92  # the longest season (June to August): the bank holds a season's worth
# Northern seasons by month; the southern hemisphere's are six months on.
SEASON_MONTHS = {
    "winter": (12, 1, 2),
    "spring": (3, 4, 5),
    "summer": (6, 7, 8),
    "autumn": (9, 10, 11),
}
# A couple is in the southern hemisphere when their Echo's zone is (Australia, New Zealand,
# southern Africa and South America), or, while the zone is unknown, when it speaks en-AU.
SOUTHERN_ZONES = (
    "Australia/",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Antarctica/",
    "Africa/Johannesburg",
    "Africa/Maputo",
    "Africa/Windhoek",
    "America/Argentina/",
    "America/Buenos_Aires",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Montevideo",
    "America/Asuncion",
)
SOUTHERN_LOCALES = ("en-AU",)
CHECKIN = "checkin"  # the run of check-ins; seasonal runs are named by their season


def main_run(bank: Iterable[Question]) -> tuple[Question, ...]:
    """A stage's questions asked in bank order, one an evening (all but the recurring ones)."""
    return tuple(q for q in bank if not q.recurring)


def recurring_runs(bank: Iterable[Question]) -> dict[str, tuple[Question, ...]]:
    """A stage's check-ins, and its seasonal questions by season, each in bank order."""
    runs: dict[str, list[Question]] = {}
    for q in bank:
        if q.recurring:
            runs.setdefault(q.season or CHECKIN, []).append(q)
    return {name: tuple(run) for name, run in runs.items()}


def southern(profile: Profile, locale: str) -> bool:
    """Whether the couple's seasons are the southern hemisphere's."""
    zone = profile.ritual.time_zone
    if zone:
        return zone.startswith(SOUTHERN_ZONES)
    return locale in SOUTHERN_LOCALES


def season_of(day: date, southern_hemisphere: bool = False) -> str:
    """The season an evening falls in, by the couple's own calendar."""
    month = (day.month + 5) % 12 + 1 if southern_hemisphere else day.month
    return next(season for season, months in SEASON_MONTHS.items() if month in months)


def place_key(stage: int, run: str | None = None) -> str:
    """The profile's name for a run: "6" for stage six's bank order, "6.checkin" its check-ins."""
    return f"{stage}.{run}" if run else str(stage)


def step(place: Place, run: Sequence[Question], day: date | None = None) -> tuple[Question, Place]:
    """The run's next question after `place`, and the place after asking it.

    The place is found again by the id last asked (the bank may have gained questions since),
    else by its position; questions asked ahead of it (`ahead`, e.g. a profile migrated from a
    list of asked ids) are passed over once. When the run is used up it starts again, in the
    same order, and counts a round. `day` is kept for the runs that recur on a schedule.
    """
    ids = [q.id for q in run]
    start = ids.index(place.last) + 1 if place.last in ids else min(place.index, len(ids))
    ahead = set(place.ahead) & set(ids[start:])
    position = next((i for i in range(start, len(ids)) if ids[i] not in ahead), None)
    rounds = place.rounds
    if position is None:  # used up: the run starts again, in the same order
        position, rounds, ahead = 0, rounds + 1, set()
    later = tuple(i for i in ids[position + 1 :] if i in ahead)
    question = run[position]
    return question, Place(position + 1, question.id, rounds, day, later)


def settled(profile: Profile, content: Content) -> Profile:
    """Plain places for the stages a couple is not in, where a migrated list of asked ids waits.

    Such a stage's place becomes the question its list would ask next. Those ids would
    otherwise stay in every stored profile until the couple came back to the stage, perhaps
    never; coming back, they may hear again one asked before the migration. The current
    stage keeps its ids until its round has gone past them (`step`).
    """
    places = dict(profile.places)
    for key, place in profile.places.items():
        if not place.ahead or key == place_key(profile.stage) or not key.isdigit():
            continue
        ids = [q.id for q in main_run(content.questions.get(int(key), ()))]
        ahead = set(place.ahead)
        start = min(place.index, len(ids))
        position = next((i for i in range(start, len(ids)) if ids[i] not in ahead), len(ids))
        last = ids[position - 1] if position else ""
        places[key] = replace(place, index=position, last=last, ahead=())
    return profile.with_changes(places=places) if places != profile.places else profile


def recurring_due(profile: Profile, bank: Sequence[Question], day: date, locale: str) -> str | None:
    """The recurring run that gives tonight's question, if one is due: a season's, or check-ins."""
    runs = recurring_runs(bank)
    stage = profile.stage
    season = season_of(day, southern(profile, locale))
    seasonal_on = [profile.place(place_key(stage, s)).on for s in SEASONS]
    last_seasonal = max((d for d in seasonal_on if d is not None), default=None)
    if runs.get(season) and _due(last_seasonal, day, SEASONAL_EVERY):
        return season
    if runs.get(CHECKIN) and _due(profile.place(place_key(stage, CHECKIN)).on, day, CHECKIN_EVERY):
        return CHECKIN
    return None


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Tonight(NamedTuple):
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
    """Pick the stage's next question (a check-in or seasonal one when due) and record it.

    `extras` False (a skip): the next question in bank order, no reminder or tip said again.
    """
    profile = settled(profile, content)
    stage = profile.stage
    bank = content.questions[stage]
    first_in_stage = place_key(stage) not in profile.places and profile.completed_in(stage) == 0
    due = None
    if extras and not first_in_stage:  # a stage's first evening, and a skip, keep to bank order
        due = recurring_due(profile, bank, day, content.locale)
    run = recurring_runs(bank)[due] if due else main_run(bank)
    key = place_key(stage, due)
    question, place = step(profile.place(key), run, day if due else None)
    updated = profile.with_changes(
        places={**profile.places, key: place},
        current=CurrentQuestion(
            question_id=question.id, stage=stage, day=day, order=first_tonight(profile, day)
        ),
    )
    reminder, tip_text = False, None
    if first_in_stage:
        updated = updated.with_changes(reminder_on=day)  # the introduction says it all
    elif extras:
        if _due(profile.reminder_on, day):
            reminder = True
            updated = updated.with_changes(reminder_on=day)
        updated, tip_text = give_tip(updated, content, day)
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


def first_tonight(profile: Profile, day: date) -> tuple[str, ...]:
    """Who answers first on a new evening: the partners take turns, evening by evening.

    Tonight's order stays as it is (a skip keeps it); a new evening turns round the last
    evening's order, whoever went first then (a known voice, or "Alex goes first", may
    still change it tonight). A couple's very first evening starts with the first name.
    """
    last = profile.current
    if last is None:
        return PARTNERS
    if last.day == day:
        return last.order
    return tuple(reversed(last.order))


def _due(last: date | None, day: date, every: int = WEEK) -> bool:
    """At least `every` days since `last` (or never, or a clock that went back)."""
    return last is None or (day - last).days >= every or day < last


def tip_due(profile: Profile, day: date) -> bool:
    """Whether a growth tip may be said tonight: one in any seven local evenings, whichever
    path says it (tonight's question, "what stage are we in")."""
    return _due(profile.tip_on, day)


def give_tip(profile: Profile, content: Content, day: date) -> tuple[Profile, str | None]:
    """The stage's next tip if one is due tonight, and the profile that records it (the
    tips take turns); else the profile as it was and None."""
    if not tip_due(profile, day):
        return profile, None
    tips = content.stage(profile.stage).tips
    tip = tips[profile.tip_turn % len(tips)]
    return profile.with_changes(tip_on=day, tip_turn=profile.tip_turn + 1), tip


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
