"""An answer that signals danger: nothing of it is kept or said back, one calm line, goodbye.

Every entry point that could store or say back what a partner said calls `danger` first
and, on a match, answers with `safety_exit`. The line is safe for a partner to overhear:
it names no abuse and repeats nothing, gives the locale's crisis line (and, to someone who
asked for help, the emergency number first) and ends the session so Alexa's own features are
in reach. SAFETY.md says why, and what the check is not.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ask_sdk_model.response import Response

from skill.handlers.turn import Turn

if TYPE_CHECKING:  # the recogniser loads with the first answer, not with every cold start
    from skill.safety import Concern

log = logging.getLogger("stagewise")


def danger(turn: Turn, text: str | None) -> Concern | None:
    """What a supposed answer signals, checked before anything is stored or said back."""
    if not text:
        return None
    from skill.safety import concern  # loaded with the first answer, not at every cold start

    profile = turn.state.profile  # the couple's names, when this session already read them
    names = (profile.partner_a, profile.partner_b) if profile is not None else ()
    return concern(text, turn.content, tuple(n for n in names if n))


def safety_exit(turn: Turn, found: Concern) -> Response:
    """Keep nothing of what was said, say the crisis line, and end the session."""
    # Nothing said tonight may outlive this turn in the session: closing drops what the
    # moment held (an answer held for a voice, kept to retry, being corrected), and no
    # answer is left to be remembered for "that's not what I said".
    turn.state.last_answer = None
    log.warning("safety concern heard (%s): nothing stored, crisis line given", found.category)
    crisis = turn.line("crisis.number")
    if found.category == "help":  # someone asked for help: the emergency number first
        emergency = turn.line("crisis.emergency")
        return turn.close(turn.speech("crisis.line_help", crisis=crisis, emergency=emergency))
    return turn.close(turn.speech("crisis.line", crisis=crisis))
