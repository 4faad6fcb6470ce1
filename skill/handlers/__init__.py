"""Handler order, in one place: specific before general, fallback last.

Where things live: onboarding (meeting a couple), names (hearing them, renaming),
tonight (the question, skipping, the wrap-up), answers (storing, saying back, correcting,
and what is not an answer), stages, recap, forget (deleting by voice); moments (what yes,
no, help and a miss do at each point where the skill waits); conversation (those generic
intents); turn (one request's state); interceptors (session load and save); events and
errors.
"""

from __future__ import annotations

from skill.handlers.answers import AnswerHandler, CorrectAnswerHandler
from skill.handlers.conversation import (
    FallbackHandler,
    HelpHandler,
    NoHandler,
    RepeatHandler,
    SessionEndedHandler,
    StopHandler,
    UnsupportedLocaleHandler,
    YesHandler,
)
from skill.handlers.errors import CatchAllErrorHandler, ErrorHandler, StorageErrorHandler
from skill.handlers.events import SkillDisabledHandler, SkillEventHandler
from skill.handlers.forget import DeleteAllHandler, DeleteLastAnswerHandler, DeleteTonightHandler
from skill.handlers.interceptors import SessionInterceptor, TurnInterceptor
from skill.handlers.journey import JourneyHandler
from skill.handlers.memory import (
    FavouriteHandler,
    PlayFavouritesHandler,
    RecapStageHandler,
    RecapYearAgoHandler,
)
from skill.handlers.names import NamesHandler
from skill.handlers.recap import RecapHandler, RecapLastTimeHandler
from skill.handlers.reminders import (
    CancelReminderHandler,
    PermissionResponseHandler,
    ReconnectHandler,
    ReminderEventHandler,
    ReminderStatusHandler,
    SetReminderHandler,
)
from skill.handlers.stages import ChangeStageHandler, ChooseStageHandler, StageInfoHandler
from skill.handlers.tonight import (
    LaunchHandler,
    SkipHandler,
    TonightQuestionHandler,
)
from skill.handlers.turn import Handler, Services
from skill.handlers.voices import ForgetVoiceHandler

REQUEST_HANDLERS: tuple[type[Handler], ...] = (
    SkillDisabledHandler,
    PermissionResponseHandler,  # before SkillEventHandler, which takes any other request
    ReminderEventHandler,
    SkillEventHandler,
    SessionEndedHandler,
    UnsupportedLocaleHandler,
    LaunchHandler,
    TonightQuestionHandler,
    AnswerHandler,
    CorrectAnswerHandler,
    NamesHandler,
    ChooseStageHandler,
    StageInfoHandler,
    ChangeStageHandler,
    RecapHandler,
    RecapLastTimeHandler,
    ForgetVoiceHandler,
    JourneyHandler,
    RecapYearAgoHandler,
    RecapStageHandler,
    FavouriteHandler,
    PlayFavouritesHandler,
    DeleteAllHandler,
    DeleteLastAnswerHandler,
    DeleteTonightHandler,
    SkipHandler,
    SetReminderHandler,
    ReminderStatusHandler,
    CancelReminderHandler,
    ReconnectHandler,
    YesHandler,
    NoHandler,
    RepeatHandler,
    HelpHandler,
    StopHandler,
    FallbackHandler,  # last: takes any intent nobody else did
)

EXCEPTION_HANDLERS: tuple[type[ErrorHandler], ...] = (
    StorageErrorHandler,
    CatchAllErrorHandler,
)


def request_handlers(services: Services) -> list[Handler]:
    return [handler(services) for handler in REQUEST_HANDLERS]


def exception_handlers(services: Services) -> list[ErrorHandler]:
    return [handler(services) for handler in EXCEPTION_HANDLERS]


def interceptors(services: Services) -> tuple[TurnInterceptor, SessionInterceptor]:
    return TurnInterceptor(services), SessionInterceptor()
