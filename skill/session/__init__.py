"""What the skill remembers between the turns of one Alexa session.

moments.py holds what the skill waits for: the `Moment` enum and an `Awaiting` subclass per
moment, with only that moment's data. state.py holds `SessionState`, the session as a whole
(the moment, the household's profile, the last answer and evening read back) and its paired
converters to and from session attributes; values.py checks what comes back.
"""

from skill.session.moments import (
    DELETIONS,
    KINDS,
    Answering,
    AskingName,
    AskingWho,
    Awaiting,
    ChoosingStage,
    ConfirmingCorrection,
    ConfirmingDelete,
    ConfirmingName,
    ConfirmingReminder,
    ConfirmingRename,
    ConfirmingStage,
    ConfirmingVoice,
    Correcting,
    Moment,
    MoreFavourites,
    OfferingKeep,
    OfferingQuestion,
    OfferingTonightsRecap,
    OfferingYearAgo,
    RecapMore,
    Renaming,
    RetryingSave,
    awaiting_from,
)
from skill.session.state import SessionState

__all__ = [
    "DELETIONS",
    "KINDS",
    "Answering",
    "AskingName",
    "AskingWho",
    "Awaiting",
    "ChoosingStage",
    "ConfirmingDelete",
    "ConfirmingName",
    "ConfirmingReminder",
    "ConfirmingRename",
    "ConfirmingStage",
    "ConfirmingVoice",
    "ConfirmingCorrection",
    "Correcting",
    "Moment",
    "MoreFavourites",
    "OfferingKeep",
    "OfferingQuestion",
    "OfferingTonightsRecap",
    "OfferingYearAgo",
    "RecapMore",
    "Renaming",
    "RetryingSave",
    "SessionState",
    "awaiting_from",
]
