"""Sixty evenings of one couple replayed through the skill's entry point, checked for the
faults issue 20 found in what a couple hears around the questions.

Eleven weeks in Chicago at mixed hours (the morning, the afternoon, the evening, after
midnight), with a week away and a return on a Sunday, single evenings missed, skips, an
answer left for later, the weekly reconnect on Sundays, "what stage are we in", "how are we
doing", an evening finished twice (its answers deleted and given again) and a move to the
next stage. Everything said is then held against the rules:
- no weekday script: no nightly line heard in the same words on two evenings in a row, the
  two partners never acknowledged in the same words on one evening, no evening's closing
  words the same as a week before, no two Sundays alike;
- who answers first takes turns, evening by evening;
- no line that rings false at the couple's hour;
- counts and streaks true by the calendar rules (skill.journey), computed here afresh;
- no repeat against the README: a tip at most once in seven evenings, the stage's reminder
  and the suggestion to move on at most weekly and once a night, no name twice in a row;
- short: the reconnect reads at most 30 s before its question, a stage's first evening
  introduces it in at most 40 words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from skill.app import build_skill
from skill.config import Settings
from skill.content import load_content
from skill.journey import AWAY_EVENINGS, MILESTONES, week_of
from skill.local_time import BANDS, hour_band
from skill.store.sqlite import SqliteStore
from stagewise_tools.fake_alexa import FakeAlexa
from tests.conversation import Couple, Reply, named_twice, spoken_seconds, wordings
from tests.test_transcripts import pattern

CONTENT = load_content()
ZONE = ZoneInfo("America/Chicago")
FIRST = date(2026, 11, 16)  # a Monday
DAYS = 76
AWAY = set(range(16, 27)) | {40, 53, 61, 66, 70}  # a week away (back on Sunday 27), and singles
OPENED = [FIRST + timedelta(days=n) for n in range(DAYS) if n not in AWAY]
HOURS = [
    time(19, 30),
    time(21, 15),
    time(0, 30),
    time(8, 10),
    time(13, 20),
    time(17, 45),
    time(23, 50),
    time(20, 40),
    time(0, 40),
    time(12, 5),
    time(18, 0),
    time(22, 30),
    time(7, 45),
]
SUNDAY_AT = time(20, 0)  # the weekly reminder's hour
SAYS = {"maya": "the lake house", "jordan": "sunday pancakes"}  # the same every night
NAMES = ("Maya", "Jordan")
QUESTIONS = [q.text for bank in CONTENT.questions.values() for q in bank]
STAGE_TEXTS = [t for s in CONTENT.stages for t in (s.summary, s.description, s.reminder)]
TIPS = {tip: s.number for s in CONTENT.stages for tip in s.tips}
REMINDERS = [s.reminder for s in CONTENT.stages]
# Lines heard on most evenings, whose wording must not come back the next evening, and the
# replies they are said in (one line's words may be found inside another's elsewhere).
ASKED = ("open", "AMAZON.YesIntent", "TonightQuestionIntent", "SkipIntent")
ANSWERED = ("maya answers", "jordan answers")
NIGHTLY = {
    "launch.welcome_back": ("open",),
    "question.ask": ASKED,
    "question.you_first": ASKED,
    "question.resume": ASKED,
    "answer.next_turn": ANSWERED,
    "answer.both_saved": ANSWERED,
    "answer.talk_together": ANSWERED,
    "goodbye.after_answers": ANSWERED,
}
# Phrases that ring false in a part of the day, anywhere in a reply.
FALSE_AT = {
    "morning": r"sleep well|good night|before bed|good (afternoon|evening)|rest of your "
    r"(afternoon|evening)|this (afternoon|evening)|lovely evening",
    "afternoon": r"sleep well|good night|before bed|good (morning|evening)|rest of your "
    r"(morning|evening)|this (morning|evening)|lovely evening",
    "evening": r"sleep well|good night|before bed|good (morning|afternoon)|rest of your "
    r"(morning|afternoon)|any time today|later today",
    "late": r"good (morning|afternoon|evening)|rest of your (morning|afternoon|evening|day)|"
    r"any time today|later today|this (morning|afternoon|evening)|lovely evening",
}


@dataclass
class Heard:
    """One reply, and when it was said: the evening it belongs to and the local clock."""

    evening: date
    local: datetime
    what: str  # what the couple asked for, for messages
    reply: Reply

    @property
    def band(self) -> str:
        return hour_band(self.local.astimezone(UTC), ZONE)

    @property
    def text(self) -> str:
        return self.reply.text


@dataclass
class Replay:
    """The couple, everything heard, and the truth kept alongside (never read from the skill)."""

    couple: Couple
    heard: list[Heard] = field(default_factory=list)
    shared: list[date] = field(default_factory=list)  # evenings both answered
    in_stage: dict[int, int] = field(default_factory=dict)  # shared evenings per stage
    stage: int = 1
    firsts: dict[date, str] = field(default_factory=dict)  # who was asked first, per evening
    acks: list[list[str]] = field(default_factory=list)  # acknowledgements said, by round
    suggested_once: bool = False
    moved_on: date | None = None

    def keep(self, evening: date, what: str, reply: Reply) -> Reply:
        local = self.couple.now.astimezone(ZONE)
        self.heard.append(Heard(evening, local, what, reply))
        return reply

    def intent(self, evening: date, name: str, new_session: bool = False, **slots: str) -> Reply:
        reply = self.couple.intent(name, new_session=new_session, **slots)
        return self.keep(evening, name, reply)

    def launch(self, evening: date) -> Reply:
        return self.keep(evening, "open", self.couple.launch())

    def answer(self, evening: date, name: str) -> Reply:
        self.firsts.setdefault(evening, name)
        return self.keep(evening, f"{name} answers", self.couple.answer(SAYS[name]))

    def at(self, evening: date, clock: time, minutes: int = 0) -> None:
        """The clock moves to `clock` on `evening` (after midnight: the next date)."""
        day = evening + timedelta(days=1) if clock.hour < 4 else evening
        local = datetime.combine(day, clock, ZONE) + timedelta(minutes=minutes)
        self.couple.later()
        self.couple.now = local.astimezone(UTC)

    def answers(self, evening: date) -> None:
        """Whoever is asked answers, until both have."""
        self.acks.append([])
        while (name := self.couple.whose_turn()) is not None:
            reply = self.answer(evening, name)
            self.acks[-1].append(acknowledgement(reply, name.title()))
            if self.couple.awaiting == "reminder_confirm":  # the one-off offer on evening three
                self.intent(evening, "AMAZON.NoIntent")
        if evening not in self.shared:
            self.shared.append(evening)
            self.in_stage[self.stage] = self.in_stage.get(self.stage, 0) + 1


def acknowledgement(reply: Reply, name: str) -> str:
    """The wording an answer was said back in, placeholders left in."""
    options = [
        v
        for v in CONTENT.variants("answer.heard")
        if v.format(name=name, answer=SAYS[name.lower()]) in reply.text
    ]
    assert options, reply.text
    return max(options, key=len)


def wording_heard(heard: Heard, key: str) -> str | None:
    """Which wording of a line a reply said (placeholders filled with what it was said with)."""
    values: dict[str, str] = {"name_a": NAMES[0], "name_b": NAMES[1]}
    found = []
    for variant in wordings(CONTENT, key):
        names = NAMES if re.search(r"\{(name|other)\}", variant) else ("",)
        questions = QUESTIONS if "{question}" in variant else ("",)
        for name in names:
            for question in questions:
                text = variant.format(**values, name=name, other=name, question=question)
                if text in heard.text:
                    found.append(variant)
    return max(found, key=len) if found else None


def replay_sixty_evenings(tmp_path: Path) -> Replay:
    alexa = FakeAlexa(zone="America/Chicago")
    app = build_skill(
        Settings(store_url="sqlite:///:memory:"),
        store=SqliteStore(tmp_path / "sixty.db"),
        alexa_api=alexa.client,
    )
    couple = Couple(app, user_id="amzn1.ask.account.sixty-evenings")
    couple.device.api_token = "token"
    r = Replay(couple)
    for number, evening in enumerate(OPENED):
        sunday = evening.weekday() == 6
        hour = HOURS[number % len(HOURS)]
        r.at(evening, SUNDAY_AT if sunday and number else hour)
        if number == 0:
            r.launch(evening)
            for said in ("maya", "jordan"):
                r.intent(evening, "NamesIntent", first_name=said)
            r.intent(evening, "AMAZON.YesIntent")  # start at stage one
            r.intent(evening, "StageMoreIntent")  # "tell me more about this stage"
            r.answers(evening)
            continue
        if r.suggested_once and r.moved_on is None and evening.day % 2 == 0:
            r.intent(evening, "ChangeStageIntent", new_session=True)  # "move to the next stage"
            r.intent(evening, "AMAZON.YesIntent")  # the move
            r.intent(evening, "AMAZON.YesIntent")  # tonight's question
            r.stage, r.moved_on = r.stage + 1, evening
        elif sunday:
            r.intent(evening, "ReconnectIntent", new_session=True)
            if couple.awaiting == "recap_more":
                r.intent(evening, "AMAZON.NoIntent")
            r.intent(evening, "AMAZON.YesIntent")  # tonight's question
        else:
            if number % 9 == 4:
                r.intent(evening, "StageInfoIntent", new_session=True)
                couple.later(minutes=1)
            r.launch(evening)
            if number % 6 == 5 and couple.whose_turn() is not None:
                r.intent(evening, "SkipIntent")
        first = couple.whose_turn()
        if number % 7 == 3 and not sunday and first is not None:
            r.answer(evening, first)
            r.intent(evening, "AMAZON.StopIntent")
            couple.later(minutes=50)  # the other one answers later
            r.launch(evening)
        r.answers(evening)
        suggested = pattern("stage.suggest_next").search(r.heard[-1].text)
        if suggested and not r.suggested_once:
            # The evening is finished again: its answers deleted and given once more.
            r.suggested_once = True
            couple.later(minutes=5)
            r.intent(evening, "DeleteTonightIntent", new_session=True)
            r.intent(evening, "AMAZON.YesIntent")
            r.intent(evening, "TonightQuestionIntent", new_session=True)
            r.answers(evening)
        if number % 5 == 2:
            couple.later(minutes=20)
            r.intent(evening, "JourneyIntent", new_session=True)
    return r


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    return replay_sixty_evenings(tmp_path_factory.mktemp("sixty"))


def test_the_replay_is_what_it_claims(replay: Replay) -> None:
    assert len(OPENED) == 60 and len(replay.shared) == 60
    assert (
        FIRST + timedelta(days=27) in replay.shared and (FIRST + timedelta(days=27)).weekday() == 6
    )
    assert {h.band for h in replay.heard} == set(BANDS)
    assert any(h.what == "ReconnectIntent" for h in replay.heard)
    assert any(h.what == "SkipIntent" for h in replay.heard)
    assert replay.moved_on is not None and replay.stage == 2


# -- no weekday script -------------------------------------------------------------------


@pytest.mark.parametrize("key", NIGHTLY)
def test_no_nightly_line_is_heard_in_the_same_words_two_evenings_running(
    replay: Replay, key: str
) -> None:
    by_evening: dict[date, set[str]] = {}
    for heard in replay.heard:
        found = wording_heard(heard, key) if heard.what in NIGHTLY[key] else None
        if found:
            by_evening.setdefault(heard.evening, set()).add(found)
    assert len(by_evening) >= 8, key  # the line was heard through the replay
    for evening, said in by_evening.items():
        following = by_evening.get(evening + timedelta(days=1), set())
        assert not said & following, (key, evening, said & following)
    week_on = [
        said == by_evening[e + timedelta(days=7)]
        for e, said in by_evening.items()
        if e + timedelta(days=7) in by_evening
    ]
    assert sum(week_on) <= len(week_on) // 3, (key, sum(week_on), len(week_on))


def test_the_two_partners_are_acknowledged_in_different_words(replay: Replay) -> None:
    rounds = [said for said in replay.acks if len(said) == 2]
    assert len(rounds) >= 50
    for said in rounds:
        assert said[0] != said[1], said


def test_no_evening_closes_in_the_words_of_the_same_weekday_before(replay: Replay) -> None:
    closing = {
        h.evening: h.text for h in replay.heard if pattern("answer.both_saved").search(h.text)
    }
    pairs = [(e, e + timedelta(days=7)) for e in closing if e + timedelta(days=7) in closing]
    assert len(pairs) >= 25
    for earlier, later in pairs:
        assert closing[earlier] != closing[later], (earlier, closing[earlier])


SUNDAY_LINES = {
    "reconnect.intro": ("ReconnectIntent",),
    "question.ask": ("AMAZON.YesIntent",),
    "question.you_first": ("AMAZON.YesIntent",),
    "answer.next_turn": ANSWERED,
    "answer.both_saved": ANSWERED,
    "answer.talk_together": ANSWERED,
    "goodbye.after_answers": ANSWERED,
}


def test_the_sunday_reconnect_is_not_one_script_every_week(replay: Replay) -> None:
    """Same day, same hour, week after week: still not the same words."""
    scripts: dict[date, dict[str, str | None]] = {}
    for heard in replay.heard:
        if heard.evening.weekday() != 6 or heard.local.time() > time(20, 30):
            continue  # the reconnect's evening, at its hour (not a question asked again)
        lines = scripts.setdefault(heard.evening, {})
        for key, kinds in SUNDAY_LINES.items():
            found = wording_heard(heard, key) if heard.what in kinds else None
            if found is not None:
                lines.setdefault(key, found)
    sundays = [scripts[d] for d in sorted(scripts) if "reconnect.intro" in scripts[d]]
    assert len(sundays) >= 8
    assert len({tuple(sorted(s.items())) for s in sundays}) == len(sundays)
    for key in SUNDAY_LINES:
        pairs = [(a.get(key), b.get(key)) for a, b in zip(sundays, sundays[1:], strict=False)]
        pairs = [(a, b) for a, b in pairs if a and b]
        assert len(pairs) >= 5, key
        assert sum(a == b for a, b in pairs) < len(pairs) / 2, (key, pairs)


def test_who_answers_first_takes_turns(replay: Replay) -> None:
    firsts = [replay.firsts[e] for e in sorted(replay.firsts)]
    assert len(firsts) == 60
    assert all(a != b for a, b in zip(firsts, firsts[1:], strict=False)), firsts


# -- the hour ------------------------------------------------------------------------------


def test_nothing_said_rings_false_at_the_couples_hour(replay: Replay) -> None:
    for heard in replay.heard:
        text = heard.text
        for quoted in QUESTIONS + STAGE_TEXTS + list(TIPS):
            text = text.replace(quoted, "")
        wrong = re.search(FALSE_AT[heard.band], text, re.I)
        assert wrong is None, (heard.local, heard.what, wrong and wrong.group(0), heard.text)
        for key in ("launch.welcome_back", "goodbye.after_answers"):
            found = wording_heard(heard, key)  # worded for this part of the day
            if found is not None:
                assert found in CONTENT.variants(f"{key}@{heard.band}"), (heard.local, found)


# -- true counts -----------------------------------------------------------------------------


def weeks_in_a_row(shared: list[date], tonight: date) -> int:
    """The calendar rules, written again here: weeks in a row up to tonight."""
    days = sorted(d for d in shared if d <= tonight)
    streak = 1
    for before, after in zip(days, days[1:], strict=False):
        if (after - before).days > AWAY_EVENINGS:
            streak = 1
        elif week_of(after) == week_of(before) + timedelta(days=7):
            streak += 1
    return streak


SPAN = re.compile(r"(\d+|one) (day|week|month|year)s?")
UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}


def test_how_are_we_doing_is_true(replay: Replay) -> None:
    told = [h for h in replay.heard if h.what == "JourneyIntent"]
    assert len(told) >= 10
    for heard in told:
        shared = [d for d in replay.shared if d <= heard.evening]
        text = heard.text
        assert not re.search(r"\b0 of them", text), text
        count = re.search(r"(\d+) evenings", text)
        if len(shared) == 1:
            assert pattern("journey.first_evening").search(text)
            continue
        assert count is not None and int(count.group(1)) == len(shared), (heard.evening, text)
        length = (heard.evening - shared[0]).days + 1
        sentence = next(part for part in text.split(". ") if "evenings" in part)
        span = SPAN.search(sentence) if re.search(r"\bover\b", sentence, re.I) else None
        if length <= 7:
            assert span is None and pattern("journey.evenings_this_week").search(text)
            continue
        assert span is not None, text
        number = 1 if span.group(1) == "one" else int(span.group(1))
        covered = number * UNIT_DAYS[span.group(2)]
        assert covered >= len(shared) - 0.5, (heard.evening, text)  # never 11 in one week
        unit = UNIT_DAYS[span.group(2)]
        fewest = math.ceil(len(shared) / math.ceil(unit))  # the least that holds them all
        assert abs(covered - length) <= unit / 2 + 0.5 or number == fewest, (length, text)
        moved = replay.moved_on is not None and heard.evening >= replay.moved_on
        in_stage = [
            d for d in shared if (replay.moved_on is not None and d >= replay.moved_on) == moved
        ]
        here = re.search(r"(\d+) of them in this stage", text)
        if here:
            assert int(here.group(1)) == len(in_stage) < len(shared), text
        else:
            assert len(in_stage) in (0, len(shared)), text  # said whenever it says something


def test_a_streak_is_said_only_when_true_and_only_when_reached(replay: Replay) -> None:
    said = []
    for heard in replay.heard:
        for variant in CONTENT.variants("journey.milestone"):
            found = re.search(re.escape(variant).replace(r"\{weeks\}", r"(\d+)"), heard.text)
            if found:
                said.append((heard.evening, int(found.group(1))))
    assert said, "the replay reaches a milestone"
    for evening, weeks in said:
        assert weeks in MILESTONES and weeks == weeks_in_a_row(replay.shared, evening)
        before = [d for d in replay.shared if d < evening]
        assert weeks_in_a_row(replay.shared, before[-1]) == weeks - 1  # reached tonight
    assert len(said) == len(set(said))  # once, though that evening was finished twice
    back = FIRST + timedelta(days=27)  # the Sunday after a week away
    assert all(evening != back for evening, _ in said)
    assert weeks_in_a_row(replay.shared, back) == 1


# -- rations the README promises --------------------------------------------------------------


def dates_of(replay: Replay, texts: list[str]) -> list[tuple[date, str]]:
    return [(h.evening, t) for h in replay.heard for t in texts if t in h.text]


def test_a_tip_at_most_once_in_seven_evenings_whatever_asks(replay: Replay) -> None:
    tips = dates_of(replay, list(TIPS))
    assert len(tips) >= 6
    days = [d for d, _ in tips]
    assert all((b - a).days >= 7 for a, b in zip(days, days[1:], strict=False)), tips
    reminders = [d for d, _ in dates_of(replay, REMINDERS)]
    assert all((b - a).days >= 7 for a, b in zip(reminders, reminders[1:], strict=False))


def test_the_next_stage_is_suggested_at_most_weekly_and_once_a_night(replay: Replay) -> None:
    nights = [h.evening for h in replay.heard if pattern("stage.suggest_next").search(h.text)]
    assert nights and len(nights) == len(set(nights)), nights
    assert all((b - a).days >= 7 for a, b in zip(nights, nights[1:], strict=False))


def test_no_name_is_said_twice_in_a_row(replay: Replay) -> None:
    quoted = QUESTIONS + STAGE_TEXTS + list(TIPS) + list(SAYS.values())
    for heard in replay.heard:
        assert not named_twice(heard.text, NAMES, quoted), (heard.what, heard.text)


# -- short ------------------------------------------------------------------------------------


def test_the_reconnect_reads_half_a_minute_then_asks(replay: Replay) -> None:
    reconnects = [h for h in replay.heard if h.what == "ReconnectIntent"]
    assert reconnects
    for heard in reconnects:
        assert spoken_seconds(heard.reply.ssml) <= 30, heard.text
        assert heard.reply.awaiting in ("recap_more", "question_offer")


def test_a_stages_first_evening_introduces_it_in_forty_words(replay: Replay) -> None:
    firsts = [h for h in replay.heard if pattern("stage.more_hint").search(h.text)]
    intros = [h for h in firsts if pattern("question.stage_intro").search(h.text)]
    assert len(intros) == 2  # stage one's first evening, and stage two's
    for heard in intros:
        start = pattern("question.stage_intro").search(heard.text)
        hint = pattern("stage.more_hint").search(heard.text)
        assert start is not None and hint is not None
        intro = heard.text[start.start() : hint.end()]
        assert len(intro.split()) <= 40, intro
        assert not any(s.description in heard.text for s in CONTENT.stages)
    more = next(h for h in replay.heard if h.what == "StageMoreIntent")
    assert CONTENT.stage(1).description in more.text
