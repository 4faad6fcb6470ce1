"""Names heard: meeting a couple ("Sam", "we're Sam and Alex") and renaming them later.

Every name is checked in the skill (skill.names): "yes", "what is this" or "coffee and
cake" in the name slot is never a name; an everyday word that is also a name ("Hope") is
confirmed first. A known couple's names change only after they say the new ones and yes.
"""

from __future__ import annotations

from ask_sdk_model.response import Response

from skill.handlers.onboarding import ask_start_stage, names_so_far
from skill.handlers.safety import danger, safety_exit
from skill.handlers.tonight import after_side_trip
from skill.handlers.turn import Turn
from skill.names import NameCheck, check_name
from skill.session import (
    AskingName,
    ConfirmingName,
    ConfirmingRename,
    Renaming,
)
from skill.speech import Speech


def heard(turn: Turn) -> list[NameCheck]:
    """The names in the slots, each checked."""
    said = (turn.slot("first_name"), turn.slot("second_name"))
    return [check_name(value, turn.content) for value in said if value]


def said_instead(turn: Turn, checks: list[NameCheck]) -> str | None:
    """What the name slots held when it was not a name ("i don't want to be here"): words
    a partner said aloud, so they get the safety check an answer gets."""
    if not any(c.verdict == "not_a_name" for c in checks):
        return None
    said = (turn.slot("first_name"), turn.slot("second_name"))
    return " ".join(value for value in said if value) or None


def heard_names(turn: Turn) -> Response:
    """NamesIntent: the couple's names during onboarding, else a rename (confirmed first)."""
    checks = heard(turn)
    found = danger(turn, said_instead(turn, checks))
    if found is not None:  # not a name but a disclosure: nothing kept, the calm line
        return safety_exit(turn, found)
    if turn.household.couple() is None:
        return meet(turn, checks)
    return rename_heard(turn, checks)


def meet(turn: Turn, checks: list[NameCheck]) -> Response:
    """Onboarding: collect two first names, then offer where to start."""
    so_far = names_so_far(turn)
    if not checks or any(c.verdict == "not_a_name" or c.name is None for c in checks):
        return ask_name(turn, so_far, turn.speech("onboarding.name_missed"))
    names = tuple(c.name for c in checks if c.name)
    # A second name completes the pair; two names, or names said later, start it afresh.
    taken = so_far if len(so_far) == 1 and len(names) == 1 else ()
    pair = (*taken, *names)
    if len(pair) == 2 and pair[0].lower() == pair[1].lower():  # one name heard twice
        return ask_name(turn, pair[:1], turn.speech("onboarding.name_twice", name=pair[0]))
    if any(c.verdict == "unusual" for c in checks):
        confirming = ConfirmingName(taken, names)
        return turn.ask(
            turn.speech("onboarding.confirm_name", name=" and ".join(names)),
            turn.speech("onboarding.confirm_name", name=" and ".join(names)),
            confirming,
        )
    return names_taken(turn, (*taken, *names))


def names_taken(turn: Turn, names: tuple[str, ...]) -> Response:
    """One name: ask the partner's; two: offer where to start."""
    if len(names) == 1:
        return turn.ask(
            turn.speech("onboarding.ask_second_name", name_a=names[0]),
            turn.speech("onboarding.ask_second_name_reprompt"),
            AskingName(names),
        )
    lead = turn.speech("onboarding.names_heard", name_a=names[0], name_b=names[1])
    return ask_start_stage(turn, lead, names[:2])


def ask_name(turn: Turn, names: tuple[str, ...], lead: Speech) -> Response:
    """Ask for the first name still missing, keeping those heard."""
    key = "onboarding.ask_second_name_reprompt" if names else "onboarding.ask_first_name"
    return turn.ask(lead.say(turn.line(key)), turn.speech(key), AskingName(names[:1]))


def name_confirmed(turn: Turn) -> Response:
    """Yes to "Did I hear Sunny?"."""
    awaiting = turn.state.awaiting
    assert isinstance(awaiting, ConfirmingName)  # the moment's row calls this step
    return names_taken(turn, (*awaiting.names, *awaiting.heard)[:2])


def name_denied(turn: Turn) -> Response:
    """No to "Did I hear Sunny?": ask again."""
    awaiting = turn.state.awaiting
    assert isinstance(awaiting, ConfirmingName)
    return ask_name(turn, awaiting.names, turn.speech("onboarding.name_again"))


def rename_heard(turn: Turn, checks: list[NameCheck]) -> Response:
    """A known couple says names: both are needed, then a yes, before anything changes."""
    if not checks:  # "change our names": ask for them
        return ask_rename(turn)
    names = tuple(c.name for c in checks if c.name and c.verdict != "not_a_name")
    if len(names) < 2 or len(names) != len(checks):
        return turn.ask(
            turn.speech("rename.need_both"), turn.speech("rename.need_both"), Renaming()
        )
    return turn.ask(
        turn.speech("rename.confirm", name_a=names[0], name_b=names[1]),
        turn.speech("rename.confirm", name_a=names[0], name_b=names[1]),
        ConfirmingRename(names[:2]),
    )


def rename_confirmed(turn: Turn) -> Response:
    """Yes to "shall I call you Sam and Alex?": the names change; the evening goes on."""
    awaiting = turn.state.awaiting
    assert isinstance(awaiting, ConfirmingRename)
    first, second = awaiting.names
    turn.household.change(lambda p: p.with_changes(partner_a=first, partner_b=second))
    return after_side_trip(turn, turn.speech("rename.done", name_a=first, name_b=second))


def rename_declined(turn: Turn) -> Response:
    return after_side_trip(turn, turn.speech("rename.kept_short"))


def ask_rename(turn: Turn) -> Response:
    """ "My name is wrong": ask for both names."""
    return turn.ask(turn.speech("rename.ask"), turn.speech("rename.need_both"), Renaming())
