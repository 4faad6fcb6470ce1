"""The floor: a bare ask-sdk-core skill making Stagewise's DynamoDB calls, with trivial speech.

One handler per request kind, a plain boto3 client and the table Stagewise uses. Each turn
makes the same operations as the matching Stagewise turn (run.py checks this at the proxy)
and writes items of about the same shape and size, so the difference is Stagewise's own work.
It carries just enough session state (names, profile version, answers so far) to make the
conditional writes Stagewise makes. No exception handler: a failure must surface, not speak.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import get_slot, get_user_id, is_intent_name, is_request_type
from ask_sdk_model import Response
from botocore.config import Config

# The values of skill.store.dynamodb.CLIENT_CONFIG, copied rather than imported so the bare
# baseline's cold start loads no Stagewise module; run.py fails if the two drift apart.
CLIENT_CONFIG = Config(
    connect_timeout=0.5,
    read_timeout=1.0,
    retries={"mode": "standard", "total_max_attempts": 2},
)
QUESTION_ID = "attraction-01"
QUESTION = "What is one thing your partner does that always makes you smile?"
RECAP_DAYS = 7
RECAP_LIMIT = 8  # Stagewise's RECAP_FETCH: three questions' answers and a sign of more
YEAR = 365
YEAR_SLACK = 7  # "a year ago": the evening closest to a year back, a week either side
YEAR_LIMIT = 2 * (2 * YEAR_SLACK + 1) + 2  # Stagewise's YEAR_FETCH

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now(handler_input: HandlerInput) -> datetime:
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if not isinstance(stamp, datetime):
        raise ValueError("a request without a timestamp")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _began(item: dict[str, Any] | None) -> dict[str, str]:
    """{"since": when the household began}, from its profile item, if it has one."""
    if item is None or "created_at" not in item:
        return {}
    return {"since": str(item["created_at"]["S"])}


def _user_id(handler_input: HandlerInput) -> str:
    return str(get_user_id(handler_input))


def _slot(handler_input: HandlerInput, name: str) -> str:
    slot = get_slot(handler_input, name)
    return str(slot.value) if slot is not None and slot.value else ""


class Table:
    """The household's items in Stagewise's table, written in its key layout."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def read_profile(self, user_id: str) -> dict[str, Any] | None:
        """GetItem of the profile (consistent, as Stagewise reads it)."""
        reply = self.client.get_item(
            TableName=self.name,
            Key={"pk": {"S": user_id}, "sk": {"S": "PROFILE"}},
            ConsistentRead=True,
        )
        item: dict[str, Any] | None = reply.get("Item")
        return item

    def profile_put(
        self,
        user_id: str,
        names: list[str],
        version: int,
        now: datetime,
        answered: int,
        since: str | None = None,
    ) -> dict[str, Any]:
        """A conditional Put of the profile at `version` + 1 (`since`: when they began).

        Shaped like Stagewise's profile (journey counters, voices, reminder and tip days), so
        each read and write moves about as many bytes as Stagewise's does.
        """
        began = (since or _stamp(now))[:10]
        today = {"S": now.date().isoformat()}
        item = {
            "pk": {"S": user_id},
            "sk": {"S": "PROFILE"},
            "partner_a": {"S": names[0]},
            "partner_b": {"S": names[1]},
            "stage": {"N": "1"},
            "asked": {"M": {"1": {"L": [{"S": QUESTION_ID}]}}},
            "completed": {"M": {"1": {"N": str(answered // 2)}}},
            "current": {
                "M": {
                    "question_id": {"S": QUESTION_ID},
                    "stage": {"N": "1"},
                    "day": {"S": now.date().isoformat()},
                    "answered": {"L": [{"S": p} for p in "ab"[:answered]]},
                    "order": {"L": [{"S": "a"}, {"S": "b"}]},
                }
            },
            "journey": {
                "M": {
                    "stage": {"N": "1"},
                    "streak": {"N": "1"},
                    "declined_stage": {"N": "0"},
                    "favourites": {"L": []},
                    "spans": {"M": {"1": {"L": [{"S": began}, today]}}},
                    "first": {"S": began},
                    "latest": today,
                    "stage_since": {"S": began},
                    "streak_week": today,
                }
            },
            "voices": {"M": {}},
            "tip_on": today,
            "reminder_on": today,
            "tip_turn": {"N": "0"},
            "created_at": {"S": since or _stamp(now)},
            "version": {"N": str(version + 1)},
        }
        put: dict[str, Any] = {"TableName": self.name, "Item": item}
        if version == 0:
            put["ConditionExpression"] = "attribute_not_exists(#pk)"
            put["ExpressionAttributeNames"] = {"#pk": "pk"}
        else:
            put["ConditionExpression"] = "#v = :expected"
            put["ExpressionAttributeNames"] = {"#v": "version"}
            put["ExpressionAttributeValues"] = {":expected": {"N": str(version)}}
        return put

    def put_profile(
        self,
        user_id: str,
        names: list[str],
        version: int,
        now: datetime,
        answered: int = 0,
        since: str | None = None,
    ) -> None:
        """PutItem of the profile, conditional on the version read."""
        self.client.put_item(**self.profile_put(user_id, names, version, now, answered, since))

    def add_answer(
        self,
        user_id: str,
        names: list[str],
        version: int,
        now: datetime,
        answered: int,
        text: str,
        since: str | None = None,
    ) -> None:
        """TransactWriteItems: the answer (never twice) and the profile (if unchanged)."""
        partner = "ab"[answered]
        answer = {
            "TableName": self.name,
            "Item": {
                "pk": {"S": user_id},
                "sk": {"S": f"ANSWER#{_stamp(now)}#{partner}"},
                "answered_at": {"S": _stamp(now)},
                "partner": {"S": partner},
                "partner_name": {"S": names[answered]},
                "stage": {"N": "1"},
                "question_id": {"S": QUESTION_ID},
                "question_text": {"S": QUESTION},
                "text": {"S": text},
                "request_id": {"S": f"amzn1.echo-api.request.{uuid.uuid4()}"},
            },
            "ConditionExpression": "attribute_not_exists(#sk)",
            "ExpressionAttributeNames": {"#sk": "sk"},
        }
        profile = self.profile_put(user_id, names, version, now, answered + 1, since)
        self.client.transact_write_items(TransactItems=[{"Put": answer}, {"Put": profile}])

    def recent_answers(self, user_id: str, now: datetime) -> list[dict[str, Any]]:
        """Query of the last week's answers, newest first, limited as Stagewise limits it."""
        return self.answers_between(user_id, now - timedelta(days=RECAP_DAYS), now)

    def answers_between(
        self, user_id: str, start: datetime, until: datetime, limit: int = RECAP_LIMIT
    ) -> list[dict[str, Any]]:
        """Query of the answers in [start, until], newest first, at most `limit`."""
        reply = self.client.query(
            TableName=self.name,
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :lo AND :hi",
            ExpressionAttributeNames={"#pk": "pk", "#sk": "sk"},
            ExpressionAttributeValues={
                ":pk": {"S": user_id},
                ":lo": {"S": f"ANSWER#{_stamp(start)}"},
                ":hi": {"S": f"ANSWER#{_stamp(until)}"},
            },
            ScanIndexForward=False,
            Limit=limit,
        )
        items: list[dict[str, Any]] = reply.get("Items", [])
        return items


class BaselineHandler(AbstractRequestHandler):
    """A handler with the table; session attributes are a plain dict."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def respond(
        self, handler_input: HandlerInput, speech: str, *, ask: bool, session: dict[str, Any]
    ) -> Response:
        """Speak; keep the session open when `ask`; carry `session` to the next turn."""
        handler_input.attributes_manager.session_attributes = session
        builder = handler_input.response_builder.speak(f"<speak>{speech}</speak>")
        if ask:
            builder.ask(f"<speak>{speech}</speak>")
        else:
            builder.set_should_end_session(True)
        return builder.response

    def session(self, handler_input: HandlerInput) -> dict[str, Any]:
        """This session's attributes so far (a copy to change and pass back)."""
        return dict(handler_input.attributes_manager.session_attributes or {})


class LaunchHandler(BaselineHandler):
    """GetItem: is this a known household? A known one on a new day: PutItem of the profile
    with tonight's question, as Stagewise records it on launch."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        user_id, now = _user_id(handler_input), _now(handler_input)
        item = self.table.read_profile(user_id)
        version = int(item["version"]["N"]) if item else 0
        began = _began(item)
        session: dict[str, Any] = {"version": version, "names": [], "answered": 0, **began}
        if item is None or "partner_b" not in item:
            return self.respond(
                handler_input, "Welcome. Your first name?", ask=True, session=session
            )
        names = [item["partner_a"]["S"], item["partner_b"]["S"]]
        if item["current"]["M"]["day"]["S"] != now.date().isoformat():
            self.table.put_profile(user_id, names, version, now, since=began.get("since"))
            session["version"] = version + 1
        session["names"] = names
        return self.respond(handler_input, f"Welcome back. {QUESTION}", ask=True, session=session)


class NamesHandler(BaselineHandler):
    """No call: the names wait in the session until the couple says yes."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("NamesIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        session = self.session(handler_input)
        session["names"] = [*session.get("names", []), _slot(handler_input, "first_name")]
        return self.respond(handler_input, "Hello. Go on?", ask=True, session=session)


class YesHandler(BaselineHandler):
    """PutItem: the new household's profile with tonight's question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.YesIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        session = self.session(handler_input)
        version = int(session.get("version", 0))
        now = _now(handler_input)
        session.setdefault("since", _stamp(now))
        self.table.put_profile(
            _user_id(handler_input), session["names"], version, now, since=session["since"]
        )
        session["version"] = version + 1
        return self.respond(handler_input, QUESTION, ask=True, session=session)


class AnswerHandler(BaselineHandler):
    """TransactWriteItems: the answer and the profile together."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AnswerIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        session = self.session(handler_input)
        version, answered = int(session["version"]), int(session.get("answered", 0))
        user_id, now, since = _user_id(handler_input), _now(handler_input), session.get("since")
        done = answered + 1 == 2
        # The answer that completes an evening a year or so on looks for that evening first.
        memory = self.year_ago(user_id, now, since) if done else []
        self.table.add_answer(
            user_id,
            session["names"],
            version,
            now,
            answered,
            _slot(handler_input, "answer"),
            since,
        )
        session.update(version=version + 1, answered=answered + 1)
        speech = "Thank you. Sleep well." if done else "Thanks. Your turn."
        if len(memory) > 1:
            speech = f"Thank you. A year ago you were asked: {QUESTION} Want to hear it?"
        return self.respond(handler_input, speech, ask=not done, session=session)

    def year_ago(self, user_id: str, now: datetime, since: str | None) -> list[dict[str, Any]]:
        """Query of the two weeks around a year ago, once they began that long ago."""
        began = _parse_stamp(since) if since else now
        if (now - began).days < YEAR - YEAR_SLACK:
            return []
        target = now - timedelta(days=YEAR)
        start = target - timedelta(days=YEAR_SLACK)
        until = target + timedelta(days=YEAR_SLACK + 1)
        return self.table.answers_between(user_id, start, until, YEAR_LIMIT)


class RecapHandler(BaselineHandler):
    """GetItem then Query: the couple's names and first evening, then the last week's
    answers, read out as they are stored (the same calls a Stagewise one-shot recap makes)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("RecapIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        self.table.read_profile(_user_id(handler_input))
        items = self.table.recent_answers(_user_id(handler_input), _now(handler_input))
        speech = " ".join(f"{i['partner_name']['S']} said {i['text']['S']}." for i in items)
        return self.respond(handler_input, speech or "Nothing yet.", ask=False, session={})


class TonightQuestionHandler(BaselineHandler):
    """GetItem then PutItem: read the household, record tonight's question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("TonightQuestionIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        user_id, now = _user_id(handler_input), _now(handler_input)
        item = self.table.read_profile(user_id)
        if item is None:
            return self.respond(handler_input, "Welcome. Your first name?", ask=True, session={})
        names = [item["partner_a"]["S"], item["partner_b"]["S"]]
        version = int(item["version"]["N"])
        began = _began(item)
        self.table.put_profile(user_id, names, version, now, since=began.get("since"))
        session = {"version": version + 1, "names": names, "answered": 0, **began}
        return self.respond(handler_input, QUESTION, ask=True, session=session)


class RecapStageHandler(BaselineHandler):
    """GetItem then Query: the profile (when they began), then the stage's answers since."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("RecapStageIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        user_id, now = _user_id(handler_input), _now(handler_input)
        item = self.table.read_profile(user_id)
        since = _began(item).get("since")
        start = _parse_stamp(since) if since else now - timedelta(days=YEAR)
        items = self.table.answers_between(user_id, start, now)
        speech = " ".join(f"{i['partner_name']['S']} said {i['text']['S']}." for i in items)
        return self.respond(handler_input, speech or "Nothing yet.", ask=False, session={})


class JourneyHandler(BaselineHandler):
    """GetItem once a session (none when the session already read the profile)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("JourneyIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        session = self.session(handler_input)
        if "version" not in session:
            item = self.table.read_profile(_user_id(handler_input))
            session = {"version": int(item["version"]["N"]) if item else 0, **_began(item)}
            session.update(names=[], answered=0)
        speech = f"You began on {str(session.get('since', ''))[:10]}. Tonight's question?"
        return self.respond(handler_input, speech, ask=True, session=session)


class HelpHandler(BaselineHandler):
    """No call."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.HelpIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        session = self.session(handler_input)
        return self.respond(handler_input, "Just answer the question.", ask=True, session=session)


class RepeatHandler(BaselineHandler):
    """No call."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.RepeatIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.respond(handler_input, QUESTION, ask=True, session=self.session(handler_input))


class SessionEndedHandler(BaselineHandler):
    """No call, no speech."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


HANDLERS: tuple[type[BaselineHandler], ...] = (
    LaunchHandler,
    NamesHandler,
    YesHandler,
    AnswerHandler,
    RecapHandler,
    RecapStageHandler,
    JourneyHandler,
    TonightQuestionHandler,
    HelpHandler,
    RepeatHandler,
    SessionEndedHandler,
)


def build_lambda_handler(client: Any, table: str) -> LambdaHandler:
    """The SDK's own Lambda entry point around the bare skill."""
    builder = SkillBuilder()
    for kind in HANDLERS:
        builder.add_request_handler(kind(Table(client, table)))
    # The SDK annotates the event as str; at run time it is the event dict Lambda passes.
    return cast(LambdaHandler, builder.lambda_handler())
