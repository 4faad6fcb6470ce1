"""`stagewise chat`: lines resolved against the interaction model, transcripts from a pipe."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from skill.content import load_content
from stagewise_tools.nlu import Resolver, packaged_model

CONTENT = load_content()
TODAY = date(2026, 11, 21)  # a Saturday


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(packaged_model(), TODAY)


@pytest.mark.parametrize(
    ("line", "intent", "slots"),
    [
        ("give us a question", "TonightQuestionIntent", {}),
        ("What's tonight's question?", "TonightQuestionIntent", {}),
        ("my answer is we laugh a lot", "AnswerIntent", {"answer": "we laugh a lot"}),
        ("we're sam and alex", "NamesIntent", {"first_name": "sam", "second_name": "alex"}),
        ("stage four", "ChooseStageIntent", {"stage_number": "4"}),
        ("tell me about stage 2", "StageInfoIntent", {"stage_number": "2"}),
        ("tell me more about this stage", "StageMoreIntent", {}),
        ("what stage are we in", "StageInfoIntent", {}),
        ("move to the next stage", "ChangeStageIntent", {}),
        ("what did we say last week", "RecapIntent", {"period": "2026-W46"}),
        ("what did we say yesterday", "RecapIntent", {"period": "2026-11-20"}),
        ("what did we say on monday", "RecapIntent", {"period": "2026-11-23"}),  # the coming one
        ("what did we say last time", "RecapLastTimeIntent", {}),
        ("what did we say two weeks ago", "RecapIntent", {"period": "2026-W45"}),
        ("what did we say on november 3rd", "RecapIntent", {"period": "2027-11-03"}),
        ("what did we say on the first of november", "RecapIntent", {"period": "2027-11-01"}),
        ("that's not what i said", "CorrectAnswerIntent", {}),
        ("play our recap", "RecapIntent", {}),
        ("another question", "SkipIntent", {}),
        ("yes", "AMAZON.YesIntent", {}),
        ("stop", "AMAZON.StopIntent", {}),
        ("what's the weather", "AMAZON.FallbackIntent", {}),
    ],
)
def test_lines_resolve_like_alexa(
    resolver: Resolver, line: str, intent: str, slots: dict[str, str]
) -> None:
    found = resolver.resolve(line, in_session=True)
    assert (found.intent, found.slots) == (intent, slots)


def test_an_elicited_answer_needs_no_carrier_but_stop_still_stops(resolver: Resolver) -> None:
    eliciting = ("AnswerIntent", "answer")
    bare = resolver.resolve("your kindness", in_session=True, eliciting=eliciting)
    assert (bare.intent, bare.slots) == ("AnswerIntent", {"answer": "your kindness"})
    assert (
        resolver.resolve("stop", in_session=True, eliciting=eliciting).intent == "AMAZON.StopIntent"
    )
    assert resolver.resolve("your kindness", in_session=True).intent == "AMAZON.FallbackIntent"


def test_a_hesitation_before_a_name_is_left_out_as_alexa_mostly_does(resolver: Resolver) -> None:
    eliciting = ("NamesIntent", "first_name")
    for line in ("erm it's priya", "um priya", "uh erm my name is priya"):
        found = resolver.resolve(line, in_session=True, eliciting=eliciting)
        assert (found.intent, found.slots, found.matched) == (
            "NamesIntent",
            {"first_name": "priya"},
            True,
        ), line
    # An elicited answer keeps its hesitation: the skill hears it and asks again.
    answer = resolver.resolve("um", in_session=True, eliciting=("AnswerIntent", "answer"))
    assert (answer.intent, answer.slots) == ("AnswerIntent", {"answer": "um"})
    assert resolver.resolve("erm what's the weather", in_session=True).matched is False


def test_invocations_open_a_session(resolver: Resolver) -> None:
    assert resolver.resolve("open stagewise", in_session=False).kind == "launch"
    one_shot = resolver.resolve("Alexa, ask Stagewise for tonight's question", in_session=False)
    assert (one_shot.intent, one_shot.new_session) == ("TonightQuestionIntent", True)
    recap = resolver.resolve("ask stagewise what did we say last week", in_session=False)
    assert recap.intent == "RecapIntent"


SCRIPT = """\
# a first evening
open stagewise
sam
and alex
yes
i think it's the way you hum when you cook
your patience & your "terrible" jokes
/later 1d
ask stagewise what did we say last week
"""


def test_the_whole_conversation_from_a_pipe(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stagewise_tools.cli",
            "chat",
            "--store",
            f"sqlite:///{tmp_path}/chat.db",
            "--now",
            "2026-11-20T20:00:00",
        ],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    transcript = result.stdout
    assert transcript.count("you> ") == 8
    assert "Lovely to meet you, Sam and Alex" in transcript or "Hello, Sam and Alex" in transcript
    assert CONTENT.questions[1][0].text in transcript
    assert "Sam said: it's the way you hum when you cook." in transcript
    assert "Alex said: your patience your terrible jokes." in transcript  # Alexa strips punctuation
    assert "(session closed)" in transcript


def test_chat_says_when_nothing_matches(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stagewise_tools.cli",
            "chat",
            "--store",
            f"sqlite:///{tmp_path}/c.db",
        ],
        input="open stagewise\nwhat is the weather like\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "(no sample matched: Alexa sends AMAZON.FallbackIntent)" in result.stdout
    assert CONTENT.variants("fallback.name")[0] in result.stdout  # we were asking for a name


def test_chat_says_clearly_when_the_store_url_is_wrong() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stagewise_tools.cli", "chat", "--store", "postgres://nope"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("stagewise: ") and "postgres" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_create_makes_the_sqlite_schema(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stagewise_tools.cli",
            "db",
            "create",
            "--store",
            f"sqlite:///{tmp_path}/new.db",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and (tmp_path / "new.db").exists()


def test_db_create_makes_the_dynamodb_table(moto_endpoint: str, dynamodb_client) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {
        **os.environ,
        "AWS_ENDPOINT_URL_DYNAMODB": moto_endpoint,
        "STAGEWISE_STORE": "dynamodb://created-by-cli",
    }
    for _ in range(2):  # idempotent
        result = subprocess.run(
            [sys.executable, "-m", "stagewise_tools.cli", "db", "create"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert result.returncode == 0, result.stderr
    table = dynamodb_client.describe_table(TableName="created-by-cli")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]


def test_serve_without_the_web_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    from stagewise_tools import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "flask" else real(name, *a)
    )
    assert cli.main(["serve"]) == 2
    assert "pip install 'stagewise[web]'" in capsys.readouterr().err
