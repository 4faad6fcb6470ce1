"""Tonight's question: launch, asking it, resuming it, skipping it, and the wrap-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ask_sdk_model.response import Response

from skill.content import Content
from skill.display import question_card, question_screen, supports_apl
from skill.handlers.onboarding import new_profile, start_onboarding
from skill.handlers.turn import Turn
from skill.handlers.voices import ask_who, first_for, speaker, unknown_voice
from skill.question_order import Tonight, another_question, pass_question, tonight
from skill.records import Profile
from skill.session import Answering, AskingName, OfferingQuestion, OfferingTonightsRecap
from skill.speech import Speech

Chooser = Callable[[Profile, Content, date], Tonight]


def present_tonight(
    turn: Turn, profile: Profile, lead: Speech | None = None, choose: Chooser = tonight
) -> Response:
    """Ask tonight's question (choosing and storing it if needed), or resume it.

    The question spoken is the one stored: if another device wrote first, the choice is
    made again from what they stored, and that choice is what the couple hears.
    """
    speech = lead or Speech()
    turn.may_refresh_zone = True  # this turn stores the question: the zone goes with it
    night = turn.day
    plan = choose(profile, turn.content, night)
    if plan.status == "new":
        profile, plan = turn.household.update(
            lambda fresh: _with_plan(choose(fresh, turn.content, night)), base=profile
        )
    if plan.status == "done":
        speech.say(turn.line("question.both_done"))
        return turn.ask(speech, turn.speech("question.both_done_reprompt"), OfferingTonightsRecap())
    current = profile.current
    if current is None or current.pending is None:  # cannot happen after a "new" or "resume"
        raise LookupError("tonight's question has nobody left to answer")
    name = profile.name(current.pending)
    question = plan.question
    if plan.status == "resume":
        speech.say(turn.line("question.resume", question=question.text, name=name))
    else:
        stage = turn.content.stage(question.stage)
        if plan.first_in_stage:  # a short introduction; the rest on "tell me more"
            intro = turn.line("question.stage_intro", number=stage.number, stage_name=stage.name)
            speech.say(intro, stage.summary, turn.line("stage.more_hint")).pause(600)
        if plan.reminder:
            speech.say(stage.reminder).pause(400)
        if plan.tip:
            speech.say(turn.line("question.tip_intro"), plan.tip).pause(600)
        speech.say(turn.line("question.ask", question=question.text)).pause(400)
        speech.say(turn.line("question.you_first", name=name))
    stage = turn.content.stage(question.stage)
    card = question_card(
        title=turn.line("card.question_title"),
        heading=turn.line("card.stage_heading", number=stage.number, stage_name=stage.name),
        question=question.text,
    )
    screen = None
    if supports_apl(turn.handler_input):
        evening = profile.completed_in(stage.number) + 1
        screen = question_screen(
            stage_number=stage.number,
            stage_name=stage.name,
            question=question.text,
            turn_name=name,  # just spoken: "Sam, you first"
            progress=turn.line("display.progress", count=evening),
        )
    return turn.ask(
        speech,
        turn.speech("answer.reprompt", name=name, question=question.text),
        Answering(),
        card=card,
        screen=screen,
    )


def _with_plan(plan: Tonight) -> tuple[Profile, Tonight]:
    return plan.profile, plan


def begin_at_stage(turn: Turn, names: tuple[str, ...], number: int) -> Response:
    """The couple chose where to start: store them and go straight to tonight's question."""
    profile = new_profile(turn, names, number)
    return present_tonight(turn, profile, turn.speech("onboarding.stage_chosen"))


def stage_description(turn: Turn, number: int) -> Speech:
    """A stage's description: its narration clip when one is published, else Alexa's voice."""
    return turn.narrated(f"stage.{number}.description", turn.content.stage(number).description)


def restate(turn: Turn, lead: Speech | None = None) -> Response | None:
    """Tonight's open question again, and whose turn it is; None when no question is open."""
    profile = turn.household.couple()
    current = profile.current if profile else None
    if profile is None or current is None or current.day != turn.day or current.pending is None:
        return None
    question = turn.content.question(current.question_id)
    if question is None:
        return None
    name = profile.name(current.pending)
    speech = (lead or Speech()).say(
        turn.line("question.restate", question=question.text, name=name)
    )
    return turn.ask(
        speech, turn.speech("answer.reprompt", name=name, question=question.text), Answering()
    )


def offer_question(turn: Turn, lead: Speech) -> Response:
    """End a side trip by offering tonight's question."""
    lead.say(turn.line("offer.question"))
    return turn.ask(lead, turn.speech("offer.question"), OfferingQuestion())


def after_side_trip(turn: Turn, lead: Speech) -> Response:
    """Back to where the evening is: the names still to hear, the open question, or the offer."""
    if turn.household.couple() is None:
        profile = turn.household.profile()
        kept = (profile.partner_a,) if profile is not None and profile.partner_a else ()
        key = "onboarding.ask_second_name_reprompt" if kept else "onboarding.ask_first_name"
        return turn.ask(lead.say(turn.line(key)), turn.speech(key), AskingName(kept))
    return restate(turn, lead) or offer_question(turn, lead)


def offer_after(turn: Turn, lead: Speech) -> Response:
    """After something said in passing with nothing awaited: the names still to hear, or the
    offer of tonight's question."""
    if turn.household.couple() is None:
        return after_side_trip(turn, lead)
    return offer_question(turn, lead)


def question_or_onboarding(turn: Turn) -> Response:
    """Tonight's question, meeting the couple first if they are new."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    return present_tonight(turn, profile)


def wrap_up(turn: Turn, profile: Profile, lead: Speech, *, suggest: bool = False) -> Response:
    """Both partners are done for tonight: thank them and, at most weekly, suggest moving on."""
    lead.pause(300).say(turn.line("answer.talk_together"))
    if suggest:
        lead.say(
            turn.line(
                "stage.suggest_next",
                count=profile.completed_in(profile.stage),
                next_number=profile.stage + 1,
            )
        )
    lead.say(turn.line("goodbye.after_answers"))
    return turn.close(lead)


def skip(turn: Turn) -> Response:
    """A new question if nobody answered yet; after one answer, the other partner passes."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn, "onboarding.welcome_before_question")
    current = profile.current
    if current is None or current.day != turn.day:
        return present_tonight(turn, profile)
    if current.pending is None:
        return turn.close(turn.speech("skip.both_done", "goodbye.general"))
    if current.answered:
        profile = turn.household.change(pass_question)
        name = profile.name(current.pending)
        return wrap_up(turn, profile, turn.speech("skip.partner_passes", name=name))
    return present_tonight(turn, profile, turn.speech("skip.another"), choose=another_question)


def stop_evening(turn: Turn) -> Response:
    """Close warmly; a half-answered question waits for whoever has not answered."""
    profile = turn.state.profile
    current = profile.current if profile else None
    open_tonight = current is not None and current.day == turn.day
    if profile and current and open_tonight and current.answered and current.pending:
        speech = turn.speech(
            "goodbye.answer_saved",
            name=profile.name(current.answered[0]),
            other=profile.name(current.pending),
        )
        return turn.close(speech)
    return turn.close(turn.speech("goodbye.general"))


def launch(turn: Turn) -> Response:
    """ "Open Stagewise": onboard a new couple, greet a known one and go to tonight's question."""
    profile = turn.household.couple()
    if profile is None:
        return start_onboarding(turn)
    if not profile.ritual.time_zone:
        # Met, but nothing stored since asked Alexa for the zone: learn it before the greeting
        # is worded for the hour (tonight's question below would ask all the same).
        turn.may_refresh_zone = True
        turn.zone  # noqa: B018 - read for its effect: the zone found and kept
    greeting = turn.speech(
        "launch.welcome_back", name_a=profile.partner_a, name_b=profile.partner_b
    )
    partner = speaker(turn, profile)
    if partner is not None:  # a known voice: greeted by name, and first to answer
        greeting = turn.speech("voices.welcome_back", name=profile.name(partner))
        return present_tonight(turn, profile, greeting.pause(300), choose=first_for(partner))
    if unknown_voice(turn, profile):  # greeted without names: the question names them
        asked = ask_who(turn, profile, turn.speech("launch.hello").pause(300))
        if asked is not None:
            return asked
    return present_tonight(turn, profile, greeting.pause(300))
