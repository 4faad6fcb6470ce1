"""Figures for the two recognisers on a labelled set: how many non-answers are acted on, how
many real answers are mistaken, how many names are accepted. Shared by the development-set
tests and the held-out measurement; only aggregates leave this module for held-out data."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from skill.content import content_for
from skill.names import check_name
from skill.not_answers import Heard, recognise

DATA = Path(__file__).resolve().parent / "data"
COUPLE = ("Maya", "Jordan")  # the couple both the development and the held-out sets use
CORRECTION = "CorrectAnswerIntent"

# What each kind of non-answer in the data sets is acted on as.
KIND_INTENTS: dict[str, frozenset[str]] = {
    "repeat": frozenset({"AMAZON.RepeatIntent", "TonightQuestionIntent"}),
    "tonight": frozenset({"TonightQuestionIntent", "AMAZON.RepeatIntent"}),
    "think": frozenset({"Think"}),
    "pass": frozenset({"SkipIntent"}),
    "go_first": frozenset({"GoFirst"}),
    "correct": frozenset({"CorrectAnswerIntent"}),
    "delete": frozenset({"DeleteAllIntent", "DeleteLastAnswerIntent", "DeleteTonightIntent"}),
    "remind": frozenset(
        {
            "SetReminderIntent",
            "MoveReminderIntent",
            "CancelReminderIntent",
            "ReminderStatusIntent",
            "ReconnectIntent",
        }
    ),
    "rename": frozenset({"NamesIntent"}),
    "stop": frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"}),
    "help": frozenset({"AMAZON.HelpIntent"}),
    "recap": frozenset(
        {"RecapIntent", "RecapLastTimeIntent", "RecapStageIntent", "RecapYearAgoIntent"}
    ),
    "stage": frozenset({"StageInfoIntent", "ChangeStageIntent", "ChooseStageIntent"}),
    "journey": frozenset({"JourneyIntent"}),
    "favourite": frozenset({"FavouriteIntent", "PlayFavouritesIntent"}),
    "voice": frozenset({"ForgetVoiceIntent"}),
}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def heard(row: dict[str, str]) -> Heard | None:
    return recognise(row["text"], COUPLE, content_for(row["locale"]))


@dataclass
class NotAnswerFigures:
    """Non-answers: how many were acted on at all, and how many as what their kind asks."""

    total: int = 0
    acted_on: int = 0
    right_intent: int = 0
    missed: list[str] = field(default_factory=list)  # development data only
    wrong: list[str] = field(default_factory=list)  # development data only

    @property
    def acted_share(self) -> float:
        return self.acted_on / self.total

    @property
    def right_share(self) -> float:
        return self.right_intent / self.total


@dataclass
class AnswerFigures:
    """Real answers: how many were mistaken for something else."""

    total: int = 0
    mistaken: int = 0
    examples: list[str] = field(default_factory=list)  # development data only

    @property
    def mistaken_share(self) -> float:
        return self.mistaken / self.total


@dataclass
class NameFigures:
    """First names heard: names accepted (perhaps after a check), the rest refused."""

    names: int = 0
    accepted: int = 0
    confirmed: int = 0
    not_names: int = 0
    rejected: int = 0
    taken_unasked: int = 0  # not names accepted without even a check: the worst case
    refused_names: list[str] = field(default_factory=list)  # development data only
    let_through: list[str] = field(default_factory=list)  # development data only

    @property
    def accepted_share(self) -> float:
        return self.accepted / self.names

    @property
    def confirmed_share(self) -> float:
        return self.confirmed / self.names

    @property
    def rejected_share(self) -> float:
        return self.rejected / self.not_names

    @property
    def taken_unasked_share(self) -> float:
        return self.taken_unasked / self.not_names


def not_answer_figures(path: Path, keep_examples: bool) -> NotAnswerFigures:
    figures = NotAnswerFigures()
    for row in rows(path):
        found = heard(row)
        figures.total += 1
        if found is None:
            if keep_examples:
                figures.missed.append(f"{row['kind']}: {row['text']!r}")
            continue
        figures.acted_on += 1
        if found.intent in KIND_INTENTS[row["kind"]]:
            figures.right_intent += 1
        elif keep_examples:
            figures.wrong.append(f"{row['kind']}: {row['text']!r} -> {found.intent}")
    return figures


def answer_figures(path: Path, keep_examples: bool) -> AnswerFigures:
    figures = AnswerFigures()
    for row in rows(path):
        found = heard(row)
        figures.total += 1
        if found is not None:
            figures.mistaken += 1
            if keep_examples:
                figures.examples.append(f"{row['text']!r} -> {found.intent} {found.score}")
    return figures


def name_figures(path: Path, keep_examples: bool) -> NameFigures:
    figures = NameFigures()
    for row in rows(path):
        verdict = check_name(row["text"], content_for(row["locale"])).verdict
        if row["label"] == "name":
            figures.names += 1
            if verdict != "not_a_name":
                figures.accepted += 1
            elif keep_examples:
                figures.refused_names.append(row["text"])
            if verdict == "unusual":
                figures.confirmed += 1
        else:
            figures.not_names += 1
            if verdict == "not_a_name":
                figures.rejected += 1
            elif keep_examples:
                figures.let_through.append(f"{row['text']} ({verdict})")
            if verdict == "name":
                figures.taken_unasked += 1
    return figures


@dataclass
class RestatedFigures:
    """Corrections said with the new answer, and answers that only sound like one."""

    corrections: int = 0
    exact: int = 0  # the new answer's words exactly (replaced, or offered: "shall I change...")
    asked_first: int = 0  # of those, offered with a question first (a bare "no" opened them)
    as_correction: int = 0  # taken as a correction at all (words or not: asked again)
    other_partners: int = 0  # taken as an answer: filed as the other partner's (the bug)
    answers: int = 0
    replacing: int = 0  # an answer taken surely for a correction: it would replace one
    asking: int = 0  # an answer that gets "shall I change...?" first ("no": it is kept)
    mistaken: int = 0  # an answer taken for anything but an answer
    examples: list[str] = field(default_factory=list)  # development data only

    @property
    def exact_share(self) -> float:
        return self.exact / self.corrections

    @property
    def correction_share(self) -> float:
        return self.as_correction / self.corrections

    @property
    def other_partners_share(self) -> float:
        return self.other_partners / self.corrections

    @property
    def replacing_share(self) -> float:
        return self.replacing / self.answers

    @property
    def asking_share(self) -> float:
        return self.asking / self.answers

    @property
    def mistaken_share(self) -> float:
        return self.mistaken / self.answers


def restated_figures(path: Path, keep_examples: bool) -> RestatedFigures:
    figures = RestatedFigures()
    for row in rows(path):
        found = heard(row)
        words = found.slots.get("answer") if found and found.intent == CORRECTION else None
        unsure = words is not None and found is not None and "unsure" in found.slots
        if row["kind"] == "restated":
            figures.corrections += 1
            figures.exact += words == row["answer"]
            figures.asked_first += words == row["answer"] and unsure
            figures.as_correction += found is not None and found.intent == CORRECTION
            figures.other_partners += found is None
            if keep_examples and words != row["answer"]:
                got = f"{found.intent} {dict(found.slots)}" if found else "an answer"
                figures.examples.append(f"{row['text']!r} -> {got}")
        else:
            figures.answers += 1
            figures.replacing += words is not None and not unsure
            figures.asking += unsure
            figures.mistaken += found is not None
            if keep_examples and found is not None:
                figures.examples.append(f"{row['text']!r} -> {found.intent} {dict(found.slots)}")
    return figures
