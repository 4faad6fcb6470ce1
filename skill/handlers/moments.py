"""Conversation moments as data: for each point where the skill waits, what it does.

One row per `Moment`: what the moment elicits (an intent and slot, so Alexa listens for
a bare answer or name), the content key of its question (the reprompt, and what is asked
again after help or a miss), the keys that explain it, and what yes and no do there.
Adding a yes/no moment is one row here plus its prompt keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ask_sdk_model.response import Response

from skill.handlers.answers import drop_unsaved, retry_save
from skill.handlers.forget import delete_confirmed, delete_declined
from skill.handlers.memory import decline_year_ago, next_favourite, read_year_ago
from skill.handlers.names import confirm_voice, deny_voice
from skill.handlers.recap import continue_recap, recap_today
from skill.handlers.reminders import confirm_reminder, decline_reminder
from skill.handlers.stages import apply_change, keep_stage, start_at_stage_one, which_stage
from skill.handlers.tonight import question_or_onboarding
from skill.handlers.turn import Turn
from skill.session import Moment

Step = Callable[[Turn], Response]


@dataclass(frozen=True)
class Row:
    """What one moment asks and how the generic intents behave there."""

    question: str  # content key: the moment's question, asked again after help or a miss
    help: str  # content key said before asking again, on "help"
    fallback: str  # ... when what was heard did not fit
    unclear: str  # ... when a yes or no means nothing here
    elicit: tuple[str, str] | None = None  # (intent, slot) Alexa should listen for
    yes: Step | None = None  # None: a yes is unclear here
    no: Step | None = None  # None: a no ends the session kindly
    restate: bool = False  # say the question after the explanation (a bare yes/no question)


def yes_no(question: str, *, yes: Step, no: Step) -> Row:
    """A yes-or-no moment: "say yes or no", then its question again, after help or a miss."""
    return Row(
        question=question,
        help="help.yes_no",
        fallback="fallback.yes_no",
        unclear="unclear.yes_no",
        restate=True,
        yes=yes,
        no=no,
    )


def goodbye(turn: Turn) -> Response:
    return turn.close(turn.speech("goodbye.general"))


def ask_again_unclear(turn: Turn) -> Response:
    return ask_again(turn, "unclear")


MOMENTS: dict[Moment, Row] = {
    Moment.NAME: Row(
        question="onboarding.ask_first_name",
        help="help.name",
        fallback="fallback.name",
        unclear="unclear.name",
        elicit=("NamesIntent", "first_name"),
        no=ask_again_unclear,
    ),
    Moment.STAGE_CHOICE: Row(
        question="onboarding.offer_stage_reprompt",
        help="help.stage_choice",
        fallback="fallback.stage_choice",
        unclear="unclear.stage_choice",
        yes=start_at_stage_one,
        no=which_stage,
    ),
    Moment.ANSWER: Row(
        question="answer.how",
        help="help.answer",
        fallback="fallback.answer",
        unclear="unclear.answer",
        elicit=("AnswerIntent", "answer"),
        no=ask_again_unclear,
    ),
    Moment.QUESTION_OFFER: yes_no("offer.question", yes=question_or_onboarding, no=goodbye),
    Moment.RECAP_MORE: yes_no("recap.more", yes=continue_recap, no=goodbye),
    Moment.RECAP_TODAY: yes_no("question.both_done_reprompt", yes=recap_today, no=goodbye),
    Moment.STAGE_CONFIRM: yes_no("stage.confirm_reprompt", yes=apply_change, no=keep_stage),
    Moment.RENAME: Row(
        question="rename.need_both",
        help="help.rename",
        fallback="fallback.rename",
        unclear="unclear.rename",
        elicit=("NamesIntent", "first_name"),
        no=goodbye,
    ),
    Moment.DELETE_CONFIRM: yes_no(
        "forget.confirm_reprompt", yes=delete_confirmed, no=delete_declined
    ),
    Moment.REMINDER_CONFIRM: yes_no(
        "reminder.confirm_again", yes=confirm_reminder, no=decline_reminder
    ),
    Moment.RETRY_SAVE: yes_no("answer.not_saved_reprompt", yes=retry_save, no=drop_unsaved),
    Moment.YEAR_AGO: yes_no("memory.year_ago_reprompt", yes=read_year_ago, no=decline_year_ago),
    Moment.FAVOURITE_MORE: yes_no("memory.favourite_more", yes=next_favourite, no=goodbye),
    Moment.WHO_SPEAKS: Row(
        question="voices.who_reprompt",
        help="help.who_speaks",
        fallback="fallback.who_speaks",
        unclear="unclear.who_speaks",
        elicit=("NamesIntent", "first_name"),
        yes=confirm_voice,
        no=deny_voice,
    ),
}

# With no moment open: what help, a miss and a stray yes say, and the question they ask.
IDLE = Row(
    question="help.reprompt",
    help="help.general",
    fallback="fallback.general",
    unclear="unclear.general",
    no=goodbye,
)


def row(turn: Turn) -> Row:
    moment = turn.state.moment
    return MOMENTS[moment] if moment is not None else IDLE


def prompt_values(turn: Turn) -> dict[str, object]:
    """What a moment's prompts may name: whose answer we wait for, the stage offered."""
    profile = turn.state.profile
    current = profile.current if profile else None
    name = profile.name(current.pending) if profile and current and current.pending else ""
    return {
        "name": name,
        "number": turn.state.target_stage or "",
        "crisis": turn.line("crisis.number"),  # help says where to turn if someone feels unsafe
    }


def ask_again(turn: Turn, why: str) -> Response:
    """Explain the moment (help, fallback or unclear), then ask its question again."""
    moment, spec = turn.state.moment, row(turn)
    values = prompt_values(turn)
    question = turn.speech(spec.question, **values)
    explanation = turn.speech(getattr(spec, why), **values)
    if spec.restate:
        explanation.extend(turn.speech(spec.question, **values))
    return turn.ask(explanation, question, moment)


def on_yes(turn: Turn) -> Response:
    step = row(turn).yes
    return step(turn) if step else ask_again(turn, "unclear")


def on_no(turn: Turn) -> Response:
    step = row(turn).no
    return step(turn) if step else goodbye(turn)
