"""Handler order, in one place: specific before general, fallback last."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from skill.handlers.base import Services
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
from skill.handlers.errors import CatchAllErrorHandler, StorageErrorHandler
from skill.handlers.events import SkillDisabledHandler, SkillEventHandler
from skill.handlers.onboarding import ChooseStageHandler, NamesHandler
from skill.handlers.question import AnswerHandler, LaunchHandler, SkipHandler, TonightQuestionHandler
from skill.handlers.recap import RecapHandler
from skill.handlers.stage import ChangeStageHandler, StageInfoHandler

REQUEST_HANDLERS: tuple[type[AbstractRequestHandler], ...] = (
    SkillDisabledHandler,
    SkillEventHandler,
    SessionEndedHandler,
    UnsupportedLocaleHandler,
    LaunchHandler,
    TonightQuestionHandler,
    AnswerHandler,
    NamesHandler,
    ChooseStageHandler,
    StageInfoHandler,
    ChangeStageHandler,
    RecapHandler,
    SkipHandler,
    YesHandler,
    NoHandler,
    RepeatHandler,
    HelpHandler,
    StopHandler,
    FallbackHandler,  # last: takes any intent nobody else did
)

EXCEPTION_HANDLERS: tuple[type[AbstractExceptionHandler], ...] = (
    StorageErrorHandler,
    CatchAllErrorHandler,
)


def request_handlers(services: Services) -> list[AbstractRequestHandler]:
    return [handler(services) for handler in REQUEST_HANDLERS]  # type: ignore[call-arg]


def exception_handlers(services: Services) -> list[AbstractExceptionHandler]:
    return [handler(services) for handler in EXCEPTION_HANDLERS]  # type: ignore[call-arg]
