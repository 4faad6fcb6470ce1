"""After an answer is stored: it is said back, then the other partner is asked, or the
evening ends with what it earned (skill.profile_rules.EveningEnd) turned into words."""

from __future__ import annotations

from ask_sdk_model.response import Response

from skill.handlers.memory import offer_year_ago
from skill.handlers.reminders import offer_reminder
from skill.handlers.tonight import wrap_up
from skill.handlers.turn import Turn
from skill.periods import RecapItem
from skill.profile_rules import EveningEnd
from skill.records import PARTNERS, Answer, Profile
from skill.session import Answering
from skill.speech import READBACK_WORDS, Speech, shorten


def said_back(turn: Turn, key: str, answer: Answer, name: str | None = None) -> Speech:
    """An answer said back so a mishearing is caught; long ones by their beginning.

    Each partner's is one of two draws of the line tonight (by their place in tonight's
    order), so the two partners never hear the same wording on one evening.
    """
    short, cut = shorten(answer.text, READBACK_WORDS)
    if cut and key == "answer.heard":
        key = "answer.heard_long"
    profile = turn.state.profile
    order = profile.current.order if profile is not None and profile.current else PARTNERS
    nth = order.index(answer.partner) if answer.partner in order else 0
    line = turn.line(key, nth=nth, of=len(PARTNERS), name=name or answer.partner_name, answer=short)
    return Speech().say(line)


def next_partner(
    turn: Turn,
    profile: Profile,
    speech: Speech,
    end: EveningEnd | None = None,
    *,
    memory: RecapItem | None = None,
) -> Response:
    """The other partner's turn, or the end of the evening: a milestone celebrated, then
    the reminder offer, a year-ago memory, or the wrap-up (with a suggestion to move on)."""
    current = profile.current
    following = current.pending if current else None
    if following is not None and current is not None:
        other = profile.name(following)
        question = turn.content.question(current.question_id)
        speech.say(turn.line("answer.next_turn", other=other))
        return turn.ask(
            speech,
            turn.speech("answer.reprompt", name=other, question=question.text if question else ""),
            Answering(),
        )
    speech.say(turn.line("answer.both_saved"))
    end = end or EveningEnd()
    if end.milestone is not None:  # streaks are only ever celebrated, never counted down
        speech.say(turn.line("journey.milestone", weeks=end.milestone))
    if end.offer_reminder:
        return offer_reminder(turn, speech)
    if memory is not None:
        return offer_year_ago(turn, speech, memory)
    return wrap_up(turn, profile, speech, suggest=end.suggest_next_stage)
