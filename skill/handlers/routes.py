"""Handlers as data: one dispatcher over a table of request or intent -> step.

A request goes to the open moment's own step when its row takes the intent
(skill.handlers.moments); otherwise the moment's data is dropped (and that is said, when
it held something) and the general step below answers. Side trips (what a stage means,
how the couple is doing, help, repeat) leave the moment open and ask its question again.
Adding an intent is one row here, its step, and its content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.response import Response

from skill.content import supports_locale
from skill.handlers import conversation, tonight, voices
from skill.handlers.later import later
from skill.handlers.moments import MOMENTS, ask_again, leaving, row
from skill.handlers.turn import Services, Turn
from skill.speech import Speech
from skill.store import DeletionPending

Step = Callable[[Turn], Response]
SideTrip = Callable[[Turn], Speech | None]  # what to say; None: not a side trip after all

# Intents and requests, and what each does when no open moment takes it.
GENERAL: Mapping[str, Step] = {
    "LaunchRequest": tonight.launch,
    "SessionEndedRequest": conversation.session_ended,
    "Connections.Response": later("reminders", "permission_response"),
    "TonightQuestionIntent": tonight.question_or_onboarding,
    "AnswerIntent": later("answers", "answer_step"),
    "NamesIntent": later("names", "heard_names"),
    "ChooseStageIntent": later("stages", "choose_stage"),
    "ChangeStageIntent": later("stages", "move_stage"),
    "SkipIntent": tonight.skip,
    "CorrectAnswerIntent": later("corrections", "correct"),
    "Think": later("answers", "take_time"),
    "GoFirst": later("answers", "goes_first"),
    "RecapIntent": later("recap", "recap_period"),
    "RecapLastTimeIntent": later("recap", "recap_last_time"),
    "RecapStageIntent": later("memory", "recap_stage"),
    "RecapYearAgoIntent": later("memory", "read_year_ago"),
    "FavouriteIntent": later("memory", "keep_favourite"),
    "PlayFavouritesIntent": later("memory", "play_favourites"),
    "ForgetVoiceIntent": voices.forget_voice_step,
    "DeleteAllIntent": later("forget", "delete_all"),
    "DeleteLastAnswerIntent": later("forget", "delete_last"),
    "DeleteTonightIntent": later("forget", "delete_tonight"),
    "SetReminderIntent": later("reminders", "set_reminder"),
    "MoveReminderIntent": later("reminders", "set_reminder"),
    "ReminderStatusIntent": later("reminders", "reminder_status"),
    "CancelReminderIntent": later("reminders", "cancel_reminder"),
    "ReconnectIntent": later("reminders", "reconnect"),
    "AMAZON.YesIntent": conversation.unclear,
    "AMAZON.NoIntent": conversation.goodbye,
    "AMAZON.RepeatIntent": conversation.repeat,
    "AMAZON.HelpIntent": conversation.help_step,
    "AMAZON.StopIntent": conversation.stop,
    "AMAZON.CancelIntent": conversation.stop,
    "AMAZON.NavigateHomeIntent": conversation.stop,
    "AMAZON.FallbackIntent": conversation.fallback,
}

# Said in passing: the open moment stays open and asks its question again afterwards.
SIDE_TRIPS: Mapping[str, SideTrip] = {
    "StageInfoIntent": later("stages", "stage_info"),
    "StageMoreIntent": later("stages", "stage_more"),
    "JourneyIntent": later("journey_summary", "summary_step"),
    "ForgetVoiceIntent": voices.forget_voice_said,
}
# Skill events: no session, no speech.
EVENTS: Mapping[str, Step] = {
    "Reminders.ReminderDeleted": later("reminders", "reminder_event"),
    "AlexaSkillEvent.SkillPermissionChanged": later("reminders", "reminder_event"),
    "AlexaSkillEvent.SkillPermissionAccepted": later("reminders", "reminder_event"),
}
NOTHING = later("events", "nothing")  # any other event
DIALOG = frozenset({"LaunchRequest", "IntentRequest", "SessionEndedRequest"})


def dispatch(turn: Turn) -> Response:
    """The step for what was asked, in the moment the skill is in."""
    turn.router = route
    kind = turn.request.kind
    if kind not in DIALOG and kind != "Connections.Response":
        return EVENTS.get(kind, NOTHING)(turn)
    if kind in ("LaunchRequest", "IntentRequest") and not supports_locale(turn.locale):
        return turn.close(turn.speech("error.locale"))
    return route(turn)


def route(turn: Turn) -> Response:
    """Route what the turn heard (an intent, or the words an answer turned out to be)."""
    name = turn.intent if turn.request.kind == "IntentRequest" else turn.request.kind
    name = name or "AMAZON.FallbackIntent"
    spec = row(turn)
    step = spec.takes.get(name)
    if step is not None:
        return step(turn)
    if turn.state.awaiting is not None and name in ("AMAZON.HelpIntent", "AMAZON.FallbackIntent"):
        return ask_again(turn, "help" if name == "AMAZON.HelpIntent" else "fallback")
    if turn.state.awaiting is not None and name == "AMAZON.YesIntent":
        return ask_again(turn, "unclear")
    if turn.state.awaiting is not None and name == "AMAZON.RepeatIntent":
        return ask_again(turn, None)
    side = SIDE_TRIPS.get(name)
    if side is not None:
        said = side(turn)
        if said is not None:
            if turn.state.awaiting is not None:
                return ask_again(turn, None, lead=said.pause(400))
            return tonight.offer_after(turn, said.pause(400))
    if name != "SessionEndedRequest":
        leaving(turn)
    return GENERAL.get(name, conversation.fallback)(turn)


class Dispatcher(AbstractRequestHandler):
    """The skill's one request handler: every request goes through `dispatch`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = Turn(handler_input, self.services)
        try:
            response = dispatch(turn)
        except DeletionPending:  # "forget everything" is under way: it goes first
            from skill.handlers import deletion  # rare: not loaded at start

            turn, response = deletion.finish_first(handler_input, self.services, dispatch)
        write_session(turn, response)
        return response


def write_session(turn: Turn, response: Response) -> None:
    """Keep the session state in the response and, when a moment wants a bare reply, ask
    Alexa to elicit its slot (never for a yes/no moment: those rows elicit nothing)."""
    attributes = turn.handler_input.attributes_manager
    if not turn.has_session:
        return
    attributes.session_attributes = turn.state.to_attributes()
    moment = turn.state.moment
    elicit = MOMENTS[moment].elicit if moment is not None else None
    if elicit and response.should_end_session is False:
        response.directives = [*(response.directives or []), conversation.elicit(*elicit)]
