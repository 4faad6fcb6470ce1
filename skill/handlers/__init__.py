"""Handler order, in one place: specific before general, fallback last."""

from __future__ import annotations

from skill.handlers.base import Handler, Services
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
from skill.handlers.onboarding import ChooseStageHandler, NamesHandler
from skill.handlers.question import (
    AnswerHandler,
    LaunchHandler,
    SkipHandler,
    TonightQuestionHandler,
)
from skill.handlers.recap import RecapHandler
from skill.handlers.stage import ChangeStageHandler, StageInfoHandler

REQUEST_HANDLERS: tuple[type[Handler], ...] = (
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

EXCEPTION_HANDLERS: tuple[type[ErrorHandler], ...] = (
    StorageErrorHandler,
    CatchAllErrorHandler,
)


def request_handlers(services: Services) -> list[Handler]:
    return [handler(services) for handler in REQUEST_HANDLERS]


def exception_handlers(services: Services) -> list[ErrorHandler]:
    return [handler(services) for handler in EXCEPTION_HANDLERS]
