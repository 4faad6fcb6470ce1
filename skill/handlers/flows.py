"""Conversation steps that several handlers lead into; each returns the turn's response."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from ask_sdk_model.response import Response

from skill.content import STAGE_COUNT, Content
from skill.handlers.base import Turn
from skill.records import Profile, iso, parse_iso
from skill.ritual import (
    RECAP_QUESTIONS_PER_TURN,
    Tonight,
    Window,
    change_stage,
    group_answers,
    recap_window,
    suggests_next_stage,
    tip,
    tonight,
    valid_stage,
)
from skill.speech import Speech

MAX_NAME_CHARS = 40


def clean_name(value: str | None) -> str | None:
    """A spoken first name as we will say it back: trimmed, capitalised, bounded."""
    if not value:
        return None
    name = " ".join(value.split())[:MAX_NAME_CHARS]
    return name[:1].upper() + name[1:] if name else None


# -- onboarding ---------------------------------------------------------------------


def start_onboarding(turn: Turn, intro_key: str = "onboarding.welcome") -> Response:
    """Welcome a new couple and ask for the first name."""
    turn.state.names = ()
    variant = turn.content.choose(intro_key, turn.seed)
    intro = turn.line(intro_key)
    clip = turn.services.narration(f"{intro_key}.{variant}", intro)
    speech = Speech().play(clip) if clip else Speech().say(intro)
    return turn.ask(
        speech.say(turn.line("onboarding.ask_first_name")),
        turn.speech("onboarding.ask_first_name"),
        awaiting="name",
    )


def ask_start_stage(turn: Turn, lead: Speech) -> Response:
    """Offer stage one, or any stage by number."""
    lead.say(turn.line("onboarding.offer_stage", stage_name=turn.content.stage(1).name))
    return turn.ask(lead, turn.speech("onboarding.offer_stage_reprompt"), awaiting="stage_choice")


def begin_at_stage(turn: Turn, number: int) -> Response:
    """Create the household at the chosen stage and go straight to tonight's question."""
    first, second = turn.state.names
    profile = Profile(
        household_id=turn.household_id,
        partner_a=first,
        partner_b=second,
        stage=number,
        created_at=iso(turn.now),
    )
    turn.state.names = ()
    lead = turn.speech("onboarding.stage_chosen")
    return present_tonight(turn, profile, lead)


# -- tonight's question -------------------------------------------------------------


def stage_description(turn: Turn, number: int) -> Speech:
    """A stage's description: the narration clip when one is published, else Alexa's voice."""
    stage = turn.content.stage(number)
    clip = turn.services.narration(f"stage.{number}.description", stage.description)
    return Speech().play(clip) if clip else Speech().say(stage.description)


Chooser = Callable[[Profile, Content, date], Tonight]


def present_tonight(
    turn: Turn, profile: Profile, lead: Speech | None = None, choose: Chooser = tonight
) -> Response:
    """Ask tonight's question (choosing it if needed), or resume it, then elicit the answer."""
    speech = lead or Speech()
    plan = choose(profile, turn.content, turn.day)
    if plan.status == "done":
        speech.say(turn.line("question.both_done"))
        return turn.ask(speech, turn.speech("question.both_done_reprompt"), awaiting="recap_today")
    if plan.status == "new":
        day = turn.day
        profile = turn.save(plan.profile, lambda fresh: choose(fresh, turn.content, day).profile)
    stage = turn.content.stage(plan.question.stage)
    current = profile.current
    assert current is not None and current.pending is not None
    name = profile.name(current.pending)
    if plan.status == "resume":
        speech.say(turn.line("question.resume", question=plan.question.text, name=name))
    else:
        if plan.first_in_stage:
            speech.say(
                turn.line("question.stage_intro", number=stage.number, stage_name=stage.name)
            )
            speech.pause(300).extend(stage_description(turn, stage.number)).pause(500)
        else:
            speech.say(stage.reminder, turn.line("question.tip_intro"), tip(profile, turn.content))
            speech.pause(300)
        speech.say(turn.line("question.ask", question=plan.question.text)).pause(300)
        speech.say(turn.line("question.you_first", name=name))
    return turn.ask(
        speech,
        turn.speech("answer.reprompt", name=name, question=plan.question.text),
        awaiting="answer",
        card=(turn.line("card.question_title"), plan.question.text),
    )


def offer_question(turn: Turn, lead: Speech) -> Response:
    """End a side trip by offering tonight's question."""
    lead.say(turn.line("offer.question"))
    return turn.ask(lead, turn.speech("offer.question"), awaiting="question_offer")


def wrap_up(turn: Turn, profile: Profile, lead: Speech) -> Response:
    """Both partners are done for tonight: thank them and, now and then, suggest moving on."""
    lead.say(turn.line("answer.talk_together"))
    if suggests_next_stage(profile):
        lead.say(
            turn.line(
                "stage.suggest_next",
                count=profile.completed_in(profile.stage),
                next_number=profile.stage + 1,
            )
        )
    lead.say(turn.line("goodbye.after_answers"))
    return turn.close(lead)


# -- stages -------------------------------------------------------------------------


def confirm_change(
    turn: Turn, profile: Profile, number: int | None, *, next_stage: bool = False
) -> Response:
    """Ask before moving stages; never move without a yes."""
    current = turn.content.stage(profile.stage)
    if next_stage:
        if profile.stage >= STAGE_COUNT:
            return offer_question(turn, turn.speech("stage.last", stage_name=current.name))
        number = profile.stage + 1
    if not valid_stage(number):
        return turn.ask(turn.speech("stage.out_of_range"), turn.speech("stage.which"))
    assert number is not None
    if number == profile.stage:
        return offer_question(
            turn, turn.speech("stage.already", number=number, stage_name=current.name)
        )
    target = turn.content.stage(number)
    turn.state.target_stage = number
    return turn.ask(
        turn.speech(
            "stage.confirm",
            number=number,
            stage_name=target.name,
            current_number=current.number,
            current_name=current.name,
        ),
        turn.speech("stage.confirm_reprompt", number=number),
        awaiting="stage_confirm",
    )


def apply_change(turn: Turn, profile: Profile) -> Response:
    """The couple said yes to a stage change."""
    number = turn.state.target_stage
    turn.state.target_stage = None
    if not valid_stage(number):
        return offer_question(turn, Speech())
    assert number is not None
    turn.save(change_stage(profile, number), lambda fresh: change_stage(fresh, number))
    stage = turn.content.stage(number)
    return offer_question(
        turn, turn.speech("stage.changed", number=number, stage_name=stage.name).say(stage.summary)
    )


# -- recap --------------------------------------------------------------------------

RECAP_FETCH = RECAP_QUESTIONS_PER_TURN * 2 + 2  # enough for three questions and a sign of more


def period_phrase(turn: Turn, window: Window) -> str:
    """How to say the recap period aloud."""
    start = window.start
    if window.kind == "day" and start.date() == turn.day:
        return turn.line("period.today")
    if window.kind in ("day", "week", "weekend", "since"):
        return turn.line(
            f"period.{window.kind}",
            weekday=start.strftime("%A"),
            month=start.strftime("%B"),
            day=start.day,
        )
    if window.kind == "month":
        return turn.line("period.month", month=start.strftime("%B"))
    if window.kind == "year":
        return turn.line("period.year", year=start.year)
    return turn.line("period.recent")


def when_phrase(turn: Turn, day: date) -> str:
    """When a recapped question was asked, said the way people say it."""
    if day == turn.day:
        return turn.line("when.today")
    if (turn.day - day).days == 1:
        return turn.line("when.yesterday")
    return turn.line("when.day", weekday=day.strftime("%A"), month=day.strftime("%B"), day=day.day)


def read_recap(turn: Turn, window: Window, *, first_page: bool) -> Response:
    """Read up to three questions with both answers, newest first, then offer more."""
    answers = turn.services.store.answers(
        turn.household_id, start=window.start, until=window.until, limit=RECAP_FETCH
    )
    items = group_answers(answers)
    more = len(items) > RECAP_QUESTIONS_PER_TURN
    if len(answers) == RECAP_FETCH:
        items, more = items[:-1], True  # the oldest group may be cut short: keep it for next time
    shown = items[:RECAP_QUESTIONS_PER_TURN]
    if not shown:
        turn.state.recap_start = turn.state.recap_until = None
        if first_page:
            return offer_question(
                turn, turn.speech("recap.empty", period=period_phrase(turn, window))
            )
        return turn.close(turn.speech("recap.no_more", "goodbye.general"))
    speech = Speech()
    if first_page:
        speech.say(turn.line("recap.intro", period=period_phrase(turn, window)))
    for item in shown:
        speech.pause(400).say(
            turn.line(
                "recap.question", when=when_phrase(turn, item.day), question=item.question_text
            )
        )
        for answer in item.answers:
            speech.say(turn.line("recap.said", name=answer.partner_name, answer=answer.text))
    if more:
        oldest = min(a.answered_at for item in shown for a in item.answers)
        turn.state.recap_start, turn.state.recap_until = iso(window.start), iso(oldest)
        speech.pause(400).say(turn.line("recap.more"))
        return turn.ask(speech, turn.speech("recap.more"), awaiting="recap_more")
    turn.state.recap_start = turn.state.recap_until = None
    speech.pause(400).say(turn.line("recap.end"))
    return turn.close(speech)


def continue_recap(turn: Turn) -> Response:
    start, until = turn.state.recap_start, turn.state.recap_until
    if not start or not until:
        return turn.close(turn.speech("recap.no_more", "goodbye.general"))
    window = Window(parse_iso(start), parse_iso(until), "recent")
    return read_recap(turn, window, first_page=False)


def recap_for(turn: Turn, period: str | None) -> Response:
    return read_recap(turn, recap_window(period, turn.now), first_page=True)


def recap_today(turn: Turn) -> Response:
    midnight = datetime(turn.day.year, turn.day.month, turn.day.day, tzinfo=turn.now.tzinfo)
    return read_recap(turn, Window(midnight, turn.now, "day"), first_page=True)
