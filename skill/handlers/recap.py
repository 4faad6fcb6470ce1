"""Reading back what the couple said: "what did we say last week", page by page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ask_sdk_model.response import Response

from skill.display import recap_card
from skill.handlers.tonight import offer_question
from skill.handlers.turn import Turn
from skill.periods import (
    RECAP_QUESTIONS_PER_TURN,
    RecapItem,
    Window,
    group_answers,
    recap_window,
)
from skill.records import Profile, iso, parse_iso
from skill.session import OfferingKeep, RecapMore
from skill.speech import READBACK_WORDS, RECAP_WORDS, Speech, shorten

RECAP_FETCH = RECAP_QUESTIONS_PER_TURN * 2 + 2  # enough for three questions and a sign of more
PAGE_SECONDS = 30.0  # a page of evenings, with the lines before and after it (Speech.seconds)
FEWEST_WORDS = 6  # of each answer, when one evening must be shortened to fit a page
LAST_TIME_DAYS = 3660  # "last time" looks back at most ten years when the start is unknown
THEN_QUESTION = "question"  # a recap that goes on to tonight's question (the reconnect)


SEASONS = ("winter", "spring", "summer", "autumn")  # content keys: season.<name>


def period_phrase(turn: Turn, window: Window) -> str:
    """How to say the recap period aloud."""
    start = window.start.astimezone(turn.zone)  # 4 am local on the period's first evening
    if window.kind == "day" and start.date() == turn.day:
        return turn.line("period.today")
    if window.kind in ("day", "week", "weekend", "since", "since_start"):
        return turn.line(
            f"period.{window.kind}",
            weekday=start.strftime("%A"),
            month=start.strftime("%B"),
            day=start.day,
        )
    if window.kind == "month":
        return turn.line("period.month", month=start.strftime("%B"))
    if window.kind == "season":
        # the season the window starts in (it may start late: when the couple began)
        season = SEASONS[start.month % 12 // 3]
        year = start.year - 1 if start.month < 3 else start.year
        return turn.line("period.season", season=turn.line(f"season.{season}"), year=year)
    if window.kind == "year":
        return turn.line("period.year", year=start.year)
    if window.kind == "stage":
        return turn.line("period.stage", number=window.stage)
    return turn.line("period.recent")


def when_phrase(turn: Turn, day: date) -> str:
    """When a recapped question was asked, said the way people say it."""
    if day == turn.day:
        return turn.line("when.today")
    if (turn.day - day).days == 1:
        return turn.line("when.yesterday")
    return turn.line("when.day", weekday=day.strftime("%A"), month=day.strftime("%B"), day=day.day)


def read_recap(
    turn: Turn, window: Window, *, first_page: bool, last_time: bool = False, then: str = ""
) -> Response:
    """Read up to three evenings with both answers, newest first, then offer more.

    `then` THEN_QUESTION: the recap is part of the weekly reconnect, and ends (or, on a no
    to more, stops) by offering tonight's question.
    """
    answers = turn.services.store.answers(
        turn.household_id, start=window.start, until=window.until, limit=RECAP_FETCH
    )
    fetched = len(answers)
    if window.stage is not None:  # one stage's evenings: the window is that stage's time span
        answers = [a for a in answers if a.stage == window.stage]
    items = group_answers(answers, turn.zone)
    more = len(items) > RECAP_QUESTIONS_PER_TURN
    if fetched == RECAP_FETCH:
        items, more = items[:-1], True  # the oldest group may be cut short: keep it for next time
    if last_time:
        items, more = items[:1], False
    speech = Speech()
    if last_time:
        speech.say(turn.line("recap.last_time"))
    elif first_page:
        speech.say(turn.line("recap.intro", period=period_phrase(turn, window)))
    one_day = window.kind == "day" and not last_time  # the date was just said: not again
    couple = turn.household.couple()
    page = items[:RECAP_QUESTIONS_PER_TURN]
    more = more or len(page) < len(items)
    read, shown = read_evenings(turn, couple, page, speech, dated=not one_day, more=more, then=then)
    more = more or len(shown) < len(items)
    if not shown:
        if last_time:
            return offer_question(turn, turn.speech("recap.nothing_yet"))
        if first_page:
            return offer_question(
                turn, turn.speech("recap.empty", period=period_phrase(turn, window))
            )
        if then == THEN_QUESTION:
            return offer_question(turn, turn.speech("recap.no_more"))
        return turn.close(turn.speech("recap.no_more", "goodbye.general"))
    speech.extend(read)
    if more:
        oldest = min(a.answered_at for item in shown for a in item.answers)
        # A window takes in the whole second of its end: the next page ends a second earlier.
        rest = RecapMore(iso(window.start), iso(oldest - timedelta(seconds=1)), window.stage, then)
        speech.pause(400).say(turn.line("recap.more"))
        card = recap_card(turn.line("card.recap_title"), speech.text())
        return turn.ask(speech, turn.speech("recap.more"), rest, card=card)
    if then == THEN_QUESTION:
        return offer_question(turn, speech.pause(400))
    return end_of_recap(turn, speech)


def read_evenings(
    turn: Turn,
    couple: Profile | None,
    items: list[RecapItem],
    said: Speech,
    *,
    dated: bool,
    more: bool = False,
    then: str = "",
    shorten_first: bool = False,
) -> tuple[Speech, list[RecapItem]]:
    """As many evenings as fit in PAGE_SECONDS after what was `said`, with room for the
    page's last line: "more?" while evenings are left (`more`: beyond `items` too), else
    the recap's end, or tonight's question (`then`). Always at least one evening, which
    with `shorten_first` is cut to fit (the weekly reconnect's half minute)."""
    if then == THEN_QUESTION:
        last = longest(turn, "offer.question")
    else:
        last = max(longest(turn, "recap.end_keep", "memory.keep_offer"), longest(turn, "recap.end"))
    speech, shown = Speech(), list[RecapItem]()
    for index, item in enumerate(items):
        final = index == len(items) - 1 and not more
        ending = 0.4 + (last if final else longest(turn, "recap.more"))
        lengths: tuple[int, ...] = (RECAP_WORDS,)
        if shorten_first and not shown:
            lengths = (RECAP_WORDS, READBACK_WORDS, FEWEST_WORDS)
        for words in lengths:
            part = Speech().pause(400).extend(evening_read(turn, couple, item, dated, words))
            if said.seconds() + speech.seconds() + part.seconds() + ending <= PAGE_SECONDS:
                break
        else:
            if shown:
                break  # it comes with "more"
        speech.extend(part)
        shown.append(item)
        turn.state.last_evening = evening_key(item.answers[0].question_id, item.day)
    return speech, shown


def longest(turn: Turn, *keys: str) -> float:
    """Seconds the longest wording of each line takes, said one after the other (lines with
    no placeholders), so a page keeps room for whichever wording ends it."""
    return sum(
        max(Speech().say(v).seconds() for v in turn.content.variants(turn.wording(key)))
        for key in keys
    )


def evening_read(
    turn: Turn, couple: Profile | None, item: RecapItem, dated: bool, words: int = RECAP_WORDS
) -> Speech:
    """One evening read back: when and what was asked, then each answer (its first `words`)."""
    if dated:
        when = when_phrase(turn, item.day)
        heading = turn.line("recap.question", when=when, question=item.question_text)
    else:
        heading = turn.line("recap.question_same_day", question=item.question_text)
    speech = Speech().say(heading)
    for answer in item.answers:
        name = couple.name(answer.partner) if couple else answer.partner_name
        text, cut = shorten(answer.text, words)
        key = "recap.said_long" if cut else "recap.said"
        speech.say(turn.line(key, name=name, answer=text))
    return speech


def end_of_recap(turn: Turn, speech: Speech) -> Response:
    """The recap is over: the last evening read can be kept as a favourite (a yes away),
    unless it already is one."""
    card = recap_card(turn.line("card.recap_title"), speech.text())
    couple = turn.household.couple()
    evening = turn.state.last_evening
    if couple is not None and evening and not is_favourite(couple, evening):
        speech.pause(400).say(turn.line("recap.end_keep"), turn.line("memory.keep_offer"))
        return turn.ask(speech, turn.speech("memory.keep_offer"), OfferingKeep(evening), card=card)
    speech.pause(400).say(turn.line("recap.end"))
    return turn.close(speech, card=card)


def evening_key(question_id: str, day: date) -> str:
    """An evening as the session remembers it: "question_id@day"."""
    return f"{question_id}@{day.isoformat()}"


def evening_of_key(key: str) -> tuple[str, date] | None:
    question_id, _, day = key.partition("@")
    try:
        return question_id, date.fromisoformat(day)
    except ValueError:
        return None


def is_favourite(profile: Profile, key: str) -> bool:
    return evening_of_key(key) in set(profile.journey.favourites)


def continue_recap(turn: Turn) -> Response:
    """Yes to "would you like to hear more?"."""
    rest = turn.state.awaiting
    if not isinstance(rest, RecapMore):
        return turn.close(turn.speech("recap.no_more", "goodbye.general"))
    window = Window(parse_iso(rest.start), parse_iso(rest.until), "recent", rest.stage)
    return read_recap(turn, window, first_page=False, then=rest.then)


def stop_recap(turn: Turn) -> Response:
    """No to "would you like to hear more?": goodbye, or in the weekly reconnect, on to
    tonight's question."""
    rest = turn.state.awaiting
    if isinstance(rest, RecapMore) and rest.then == THEN_QUESTION:
        return offer_question(turn, Speech())
    return turn.close(turn.speech("goodbye.general"))


def recap_today(turn: Turn) -> Response:
    """Yes to "want to hear tonight's answers?"."""
    return read_recap(turn, Window(turn.evening_start(turn.day), turn.now, "day"), first_page=True)


def recap_period(turn: Turn) -> Response:
    """A recap of a period (AMAZON.DATE), or of the past week; works as a one-shot."""
    window = recap_window(turn.slot("period"), turn.now, since=first_evening(turn), zone=turn.zone)
    return read_recap(turn, window, first_page=True)


def recap_last_time(turn: Turn) -> Response:
    """ "What did we say last time": the most recent evening with answers, however long ago."""
    start = first_evening(turn) or turn.now - timedelta(days=LAST_TIME_DAYS)
    return read_recap(turn, Window(start, turn.now, "recent"), first_page=True, last_time=True)


def first_evening(turn: Turn) -> datetime | None:
    """When the couple started: a recap never reaches back before it."""
    couple = turn.household.couple()
    if couple is None or not couple.created_at:
        return None
    try:
        return parse_iso(couple.created_at)
    except ValueError:
        return None
