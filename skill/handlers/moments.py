"""Conversation moments as data: for each point where the skill waits, what it takes.

One row per `Moment`: what it elicits (an intent and slot, so Alexa listens for a bare
answer or name; never for a yes/no question), the content keys of its question and of
what explains it, the intents it takes and the step each runs, and what is said when the
couple moves on to something else and the moment's data is dropped. Every intent a row
does not take goes through the general table (skill.handlers.routes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from ask_sdk_model.response import Response

from skill.handlers import onboarding, tonight, voices
from skill.handlers.later import later
from skill.handlers.turn import Turn
from skill.session import (
    AskingName,
    ConfirmingCorrection,
    ConfirmingName,
    ConfirmingRename,
    ConfirmingStage,
    ConfirmingVoice,
    Correcting,
    Moment,
    RetryingSave,
)
from skill.speech import READBACK_WORDS, Speech, shorten

Step = Callable[[Turn], Response]
Leave = Callable[[Turn], Speech | None]  # what dropping the moment does, and the line it says
Resume = Callable[[Turn, Speech | None], Response | None]

YES, NO = "AMAZON.YesIntent", "AMAZON.NoIntent"


# A named tuple, not a frozen dataclass: cheaper to define at every cold start (issue 21).
class Row(NamedTuple):
    """What one moment asks, what it takes, and how it explains itself."""

    question: str | Callable[[Turn], str]  # content key asked again after help or a miss
    help: str  # content key said before asking again, on "help"
    fallback: str  # ... when what was heard did not fit
    unclear: str  # ... when a yes or no means nothing here
    elicit: tuple[str, str] | None = None  # (intent, slot) Alexa should listen for
    takes: Mapping[str, Step] = MappingProxyType({})  # intent -> step, in this moment
    restate: bool = False  # say the question after the explanation (a bare yes/no question)
    resume: Resume | None = None  # back after a side trip or "repeat"; else its question again
    leave: Leave | None = None  # the couple asked for something else: drop the data, say so


def yes_no(
    question: str,
    *,
    yes: Step,
    no: Step,
    takes: Mapping[str, Step] | None = None,
    leave: Leave | None = None,
) -> Row:
    """A yes-or-no moment: "say yes or no", then its question again, after help or a miss."""
    return Row(
        question=question,
        help="help.yes_no",
        fallback="fallback.yes_no",
        unclear="unclear.yes_no",
        restate=True,
        takes={YES: yes, NO: no, **(takes or {})},
        leave=leave,
    )


def goodbye(turn: Turn) -> Response:
    return turn.close(turn.speech("goodbye.general"))


def unclear(turn: Turn) -> Response:
    return ask_again(turn, "unclear")


def first(key: str) -> Step:
    """Asked for before the moment is done (tonight's question while the couple is still
    being met): one line saying why not yet, then the moment's question again."""
    return lambda turn: ask_again(turn, None, lead=turn.speech(key).pause(300))


def names_while_choosing(turn: Turn) -> Response:
    """Names said while the couple is asked where to start: new names start meeting afresh;
    anything else in the name slot ("er", "yes please") was not a name, and the question
    stays, both names kept."""
    from skill.handlers import names  # a feature a launch does not load

    checks = names.heard(turn)
    if not checks or any(c.verdict == "not_a_name" or c.name is None for c in checks):
        return ask_again(turn, "fallback")
    return names.meet(turn, checks)


def saying(key: str) -> Leave:
    """Leaving says one line (in the moment's values)."""
    return lambda turn: turn.speech(key, **prompt_values(turn))


def _name_question(turn: Turn) -> str:
    awaiting = turn.state.awaiting
    if isinstance(awaiting, AskingName) and awaiting.names:
        return "onboarding.ask_second_name_reprompt"
    return "onboarding.ask_first_name"


MOMENTS: dict[Moment, Row] = {
    Moment.NAME: Row(
        question=_name_question,
        help="help.name",
        fallback="fallback.name",
        unclear="unclear.name",
        elicit=("NamesIntent", "first_name"),
        restate=True,  # the name asked for next: one of theirs, or the partner's
        takes={
            "NamesIntent": later("names", "heard_names"),
            "TonightQuestionIntent": first("onboarding.question_after_names"),
            NO: unclear,
            "AMAZON.StopIntent": onboarding.stop_onboarding,
            "AMAZON.CancelIntent": onboarding.stop_onboarding,
        },
        leave=onboarding.keep_name_on_leaving,
    ),
    Moment.NAME_CONFIRM: yes_no(
        "onboarding.confirm_name",
        yes=later("names", "name_confirmed"),
        no=later("names", "name_denied"),
        takes={
            "NamesIntent": later("names", "heard_names"),
            "TonightQuestionIntent": first("onboarding.question_after_names"),
        },
        leave=onboarding.keep_name_on_leaving,
    ),
    Moment.STAGE_CHOICE: yes_no(
        "onboarding.offer_stage_reprompt",
        yes=later("stages", "start_at_stage_one"),
        no=later("stages", "which_stage"),
        takes={
            "ChooseStageIntent": later("stages", "choose_first_stage"),
            "ChangeStageIntent": later("stages", "choose_first_stage"),
            "NamesIntent": names_while_choosing,
            "TonightQuestionIntent": first("onboarding.question_after_stage"),
        },
        leave=onboarding.keep_names_on_leaving,
    ),
    Moment.ANSWER: Row(
        question="answer.how",
        help="help.answer",
        fallback="fallback.answer",
        unclear="unclear.answer",
        elicit=("AnswerIntent", "answer"),
        takes={
            "AnswerIntent": later("answers", "answer_step"),
            "NamesIntent": later("corrections", "names_as_answer"),
            "Think": later("answers", "take_time"),
            "GoFirst": later("answers", "goes_first"),
            "SetReminderIntent": later("answers", "reminder_later"),
            "MoveReminderIntent": later("answers", "reminder_later"),
            NO: unclear,
        },
        resume=tonight.restate,
    ),
    Moment.CORRECTION: Row(
        question="answer.how",
        help="help.correction",
        fallback="fallback.answer",
        unclear="unclear.answer",
        elicit=("AnswerIntent", "answer"),
        takes={
            "AnswerIntent": later("corrections", "correction_step"),
            "NamesIntent": later("corrections", "names_as_answer"),
            "Think": later("answers", "take_time"),
            "SkipIntent": later("corrections", "keep_as_it_was"),
            NO: later("corrections", "keep_as_it_was"),
            "CorrectAnswerIntent": later("corrections", "ask_correction_again"),
        },
        resume=later("corrections", "resume_correction"),
        leave=saying("answer.correction_left"),
    ),
    Moment.CORRECTION_CONFIRM: yes_no(
        "answer.correction_confirm",
        yes=later("corrections", "confirmed_correction"),
        no=later("corrections", "not_a_correction"),
        leave=saying("answer.kept_as_it_was"),
    ),
    Moment.QUESTION_OFFER: yes_no("offer.question", yes=tonight.question_or_onboarding, no=goodbye),
    Moment.RECAP_MORE: yes_no(
        "recap.more",
        yes=later("recap", "continue_recap"),
        no=later("recap", "stop_recap"),
        takes={"FavouriteIntent": later("memory", "keep_favourite")},
    ),
    Moment.RECAP_TODAY: yes_no(
        "question.both_done_reprompt", yes=later("recap", "recap_today"), no=goodbye
    ),
    Moment.KEEP_OFFER: yes_no(
        "memory.keep_offer",
        yes=later("memory", "keep_favourite"),
        no=goodbye,
        takes={"FavouriteIntent": later("memory", "keep_favourite")},
    ),
    Moment.STAGE_CONFIRM: yes_no(
        "stage.confirm_reprompt",
        yes=later("stages", "apply_change"),
        no=later("stages", "keep_stage"),
    ),
    Moment.RENAME: Row(
        question="rename.need_both",
        help="help.rename",
        fallback="fallback.rename",
        unclear="unclear.rename",
        elicit=("NamesIntent", "first_name"),
        takes={"NamesIntent": later("names", "heard_names"), NO: goodbye},
    ),
    Moment.RENAME_CONFIRM: yes_no(
        "rename.confirm",
        yes=later("names", "rename_confirmed"),
        no=later("names", "rename_declined"),
        takes={"NamesIntent": later("names", "heard_names")},
        leave=saying("rename.kept_short"),
    ),
    Moment.DELETE_CONFIRM: yes_no(
        "forget.confirm_reprompt",
        yes=later("forget", "delete_confirmed"),
        no=later("forget", "delete_declined"),
        leave=saying("forget.kept_short"),
    ),
    Moment.REMINDER_CONFIRM: yes_no(
        "reminder.confirm_again",
        yes=later("reminders", "confirm_reminder"),
        no=later("reminders", "decline_reminder"),
        leave=saying("reminder.not_set_short"),
    ),
    Moment.RETRY_SAVE: yes_no(
        "answer.not_saved_reprompt",
        yes=later("saving", "retry_save"),
        no=later("saving", "drop_unsaved"),
        leave=later("saving", "unsaved_on_leaving"),
    ),
    Moment.YEAR_AGO: yes_no(
        "memory.year_ago_reprompt",
        yes=later("memory", "read_year_ago"),
        no=later("memory", "decline_year_ago"),
    ),
    Moment.FAVOURITE_MORE: yes_no(
        "memory.favourite_more", yes=later("memory", "next_favourite"), no=goodbye
    ),
    Moment.WHO_SPEAKS: Row(
        question="voices.who_reprompt",
        help="help.who_speaks",
        fallback="fallback.who_speaks",
        unclear="unclear.who_speaks",
        elicit=("NamesIntent", "first_name"),
        takes={"NamesIntent": later("who", "identify"), NO: unclear},
        leave=voices.held_on_leaving,
    ),
    Moment.VOICE_CONFIRM: yes_no(
        "voices.is_it",
        yes=later("who", "confirm_voice"),
        no=later("who", "deny_voice"),
        takes={"NamesIntent": later("who", "identify")},
        leave=voices.held_on_leaving,
    ),
}

# With no moment open: what help, a miss and a stray yes say, and the question they ask.
IDLE = Row(
    question="help.reprompt",
    help="help.general",
    fallback="fallback.general",
    unclear="unclear.general",
    takes={NO: goodbye},
)


def row(turn: Turn) -> Row:
    moment = turn.state.moment
    return MOMENTS[moment] if moment is not None else IDLE


def prompt_values(turn: Turn) -> dict[str, object]:
    """What a moment's prompts may name: whose answer we wait for, the stage or name offered."""
    awaiting = turn.state.awaiting
    profile = turn.state.profile
    current = profile.current if profile else None
    name = profile.name(current.pending) if profile and current and current.pending else ""
    values: dict[str, object] = {"name": name, "number": ""}
    if isinstance(awaiting, ConfirmingStage):
        values["number"] = awaiting.target
    elif isinstance(awaiting, ConfirmingName):
        values["name"] = " and ".join(awaiting.heard)
    elif isinstance(awaiting, ConfirmingRename) and len(awaiting.names) == 2:
        values["name_a"], values["name_b"] = awaiting.names
    elif isinstance(awaiting, ConfirmingVoice) and profile is not None:
        values["name"] = profile.name(awaiting.partner)
    elif isinstance(awaiting, Correcting | ConfirmingCorrection):
        values["name"] = (
            profile.name(awaiting.answer.partner) if profile else awaiting.answer.partner_name
        )
        if isinstance(awaiting, ConfirmingCorrection):
            values["answer"] = shorten(awaiting.words, READBACK_WORDS)[0]
    elif isinstance(awaiting, RetryingSave):
        values["name"] = awaiting.answer.partner_name
    values["crisis"] = turn.line("crisis.number")  # help says where to turn if unsafe
    return values


def ask_again(turn: Turn, why: str | None, lead: Speech | None = None) -> Response:
    """Explain the moment (help, fallback or unclear; None: nothing), then ask its question
    again, keeping the moment and its data."""
    awaiting, spec = turn.state.awaiting, row(turn)
    if why is None and spec.resume is not None:
        resumed = spec.resume(turn, lead)
        if resumed is not None:
            return resumed
    values = prompt_values(turn)
    key = spec.question if isinstance(spec.question, str) else spec.question(turn)
    question = turn.speech(key, **values)
    speech = lead or Speech()
    if why is not None:
        speech.extend(turn.speech(getattr(spec, why), **values))
    if why is None or spec.restate:
        speech.extend(turn.speech(key, **values))
    return turn.ask(speech, question, awaiting)


def leaving(turn: Turn) -> None:
    """The couple asked for something the moment does not take: drop its data, say so."""
    spec = row(turn)
    if spec.leave is not None:
        line = spec.leave(turn)
        if line is not None and line.parts:
            turn.preface = line.pause(300)
    turn.state.awaiting = None
