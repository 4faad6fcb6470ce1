"""The `stagewise` command: talk to the skill locally, set up storage, serve, build audio."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TextIO

from skill.alexa_api import REMINDERS_SCOPE
from skill.app import build_skill, handle_event
from skill.config import Settings
from skill.local_time import zone_named
from skill.reconnect import Schedule
from skill.store import StorageError
from skill.store.connect import open_store
from stagewise_tools import alexa_requests as alexa
from stagewise_tools.fake_alexa import FakeAlexa
from stagewise_tools.nlu import Resolver, packaged_model

LATER = {"d": "days", "h": "hours", "m": "minutes"}
NO_MATCH = "       (no sample matched: Alexa sends AMAZON.FallbackIntent)\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stagewise", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    chat = commands.add_parser("chat", help="talk to the skill as you would to Alexa")
    chat.add_argument(
        "--store", help="store URL (default: $STAGEWISE_STORE or a local SQLite file)"
    )
    chat.add_argument(
        "--household", default="local-household", help="who is talking: one Alexa account"
    )
    chat.add_argument("--locale", default="en-US")
    chat.add_argument("--now", help="start the clock here (ISO time, UTC); default: the real time")
    chat.add_argument(
        "--timezone",
        default=None,
        help="the Echo's time zone, e.g. America/Los_Angeles (default: this machine's zone)",
    )
    chat.set_defaults(func=run_chat)

    db = commands.add_parser("db", help="storage set-up")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    create = db_commands.add_parser(
        "create", help="create the DynamoDB table or SQLite schema (idempotent)"
    )
    create.add_argument(
        "--store", help="store URL (default: $STAGEWISE_STORE or a local SQLite file)"
    )
    create.set_defaults(func=run_db_create)

    _add_optional(
        commands,
        "serve",
        "skill.web.serve",
        "serve the skill over HTTPS-ready Flask (pip install '.[web]')",
    )
    _add_optional(
        commands, "audio", "stagewise_tools.narration.cli", "build and publish narration clips"
    )
    _add_optional(
        commands, "package", "stagewise_tools.packaging", "build the Lambda zip and skill package"
    )

    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


# Subcommands whose dependencies are optional extras: (module, packages it needs, extra).
OPTIONAL = {
    "serve": ("skill.web.serve", ("flask", "cryptography", "certifi"), "web"),
}


def _add_optional(commands: Any, name: str, module: str, help_text: str) -> None:
    """Register a subcommand; if its extra is not installed, it says which one to install."""
    _, needs, extra = OPTIONAL.get(name, (module, (), ""))
    missing = [package for package in needs if importlib.util.find_spec(package) is None]
    if missing:
        message = f"stagewise {name} needs {', '.join(missing)}: pip install 'stagewise[{extra}]'"
        stub = commands.add_parser(name, help=help_text)
        stub.set_defaults(func=lambda _args: _fail(message))
        return
    imported = importlib.import_module(module)
    if name == "serve":
        parser = commands.add_parser(name, help=help_text)
        imported.add_arguments(parser)
        parser.set_defaults(func=imported.run)
    else:
        imported.add_arguments(commands)


def _fail(message: str, code: int = 2) -> int:
    print(f"stagewise: {message}", file=sys.stderr)
    return code


def _settings(store: str | None) -> Settings:
    settings = Settings.from_env()
    if store:
        settings = Settings(
            store_url=store, skill_id=settings.skill_id, audio_base_url=settings.audio_base_url
        )
    return settings


def run_db_create(args: argparse.Namespace) -> int:
    try:
        settings = _settings(args.store)
        open_store(settings.store_url).create()
    except ValueError as err:
        return _fail(str(err))
    except StorageError as err:
        return _fail(str(err), 1)
    print(f"ready: {settings.store_url}")
    return 0


def run_chat(
    args: argparse.Namespace, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    try:
        settings = _settings(args.store)
        now = datetime.fromisoformat(args.now).replace(tzinfo=UTC) if args.now else None
        fake = FakeAlexa(zone=args.timezone or machine_zone())
        if zone_named(fake.zone) is UTC and fake.zone != "UTC":
            raise ValueError(f"unknown time zone {fake.zone!r}: use a name like America/New_York")
        app = build_skill(settings, alexa_api=fake.client)
    except ValueError as err:
        return _fail(str(err))
    except StorageError as err:
        return _fail(str(err), 1)
    device = alexa.Device(user_id=f"amzn1.ask.account.{args.household}", locale=args.locale)
    console = Console(lambda event: handle_event(app, event), device, now, alexa=fake)
    return console.run(stdin, stdout)


class Console:
    """Reads lines, resolves them like Alexa, sends real envelopes, prints what Alexa says."""

    def __init__(
        self,
        handler: Callable[[dict[str, Any]], dict[str, Any]],
        device: alexa.Device,
        now: datetime | None = None,
        alexa: FakeAlexa | None = None,
    ) -> None:
        self.handler = handler
        self.device = device
        self.alexa = alexa  # the Alexa APIs as this console plays them (zone, reminders)
        self.permission_asked: str | None = None  # an AskFor token awaiting yes or no
        if alexa is not None:
            device.api_token = "console-api-token"
        self.offset = timedelta(0)
        self.fixed_start = now
        self.started = datetime.now(UTC)
        self.eliciting: tuple[str, str] | None = None

    def now(self) -> datetime:
        if self.fixed_start is not None:
            return self.fixed_start + self.offset
        return datetime.now(UTC) + self.offset

    def run(self, stdin: TextIO, stdout: TextIO) -> int:
        interactive = stdin.isatty()
        if interactive:
            stdout.write(
                "Talk to Stagewise as you would to Alexa. Try: open stagewise. Ctrl-D to leave.\n"
            )
        while True:
            if interactive:
                stdout.write("you> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not interactive:
                stdout.write(f"you> {line}\n")
            stdout.write(self.turn(line))
            stdout.flush()
        if self.device.session_id is not None:
            self.handler(self.device.envelope(alexa.session_ended(), self.now()))
        return 0

    def turn(self, line: str) -> str:
        """One line in, what Alexa would say out."""
        if line.startswith("/"):
            return self.command(line)
        self.offset += timedelta(seconds=5)
        if self.permission_asked is not None:
            return self.permission_answer(line)
        resolver = Resolver(packaged_model(), self.now().astimezone(self.zone()).date())
        in_session = self.device.session_id is not None
        found = resolver.resolve(line, in_session=in_session, eliciting=self.eliciting)
        if found.kind == "none":
            return ""
        if found.new_session:
            if in_session:
                self.handler(self.device.envelope(alexa.session_ended(), self.now()))
            self.device.new_session()
        if found.kind == "launch":
            request = alexa.launch()
        else:
            assert found.intent is not None
            dialog = "IN_PROGRESS" if self.eliciting and self.eliciting[0] == found.intent else None
            request = alexa.intent(found.intent, dict(found.slots), dialog_state=dialog)
        reply = self.handler(self.device.envelope(request, self.now()))
        note = "" if found.matched else NO_MATCH
        return note + self.show(reply)

    def show(self, reply: dict[str, Any]) -> str:
        response = reply.get("response", {})
        self.device.attributes = reply.get("sessionAttributes") or {}
        self.eliciting = None
        asks = None
        for directive in response.get("directives", []):
            if directive.get("type") == "Dialog.ElicitSlot":
                self.eliciting = (directive["updatedIntent"]["name"], directive["slotToElicit"])
            if directive.get("type") == "Connections.SendRequest":
                asks = str(directive.get("token") or "")
        speech = spoken_text(response.get("outputSpeech", {}).get("ssml", ""))
        out = f"alexa> {speech}\n" if speech else ""
        card = response.get("card") or {}
        if card.get("type") == "AskForPermissionsConsent":
            out += "       (card in the Alexa app: allow Stagewise to set reminders)\n"
        if asks is not None:  # Alexa itself asks; the answer goes back as Connections.Response
            self.permission_asked = asks
            return out + "alexa> (Alexa) Do you allow Stagewise to set reminders? Say yes or no.\n"
        if response.get("shouldEndSession") is not False:
            self.device.end_session()
            self.eliciting = None
            out += "       (session closed)\n"
        return out

    def command(self, line: str) -> str:
        """Console-only commands: /later 1d moves the clock on (and ends the session);
        /as maya: the next lines are said in Maya's recognised voice (/as nobody: none)."""
        word, _, rest = line[1:].partition(" ")
        if word == "later":
            amount = rest.strip() or "1d"
            unit = LATER.get(amount[-1:])
            if unit is None or not amount[:-1].isdigit():
                return "       (usage: /later 1d, /later 3h or /later 20m)\n"
            return self.move_clock(timedelta(**{unit: int(amount[:-1])}))
        if word == "at":  # /at 2026-11-22 18:50: the Echo's local time
            try:
                local = datetime.fromisoformat(rest.strip()).replace(tzinfo=self.zone())
            except ValueError:
                return "       (usage: /at 2026-11-22 18:50, the Echo's local time)\n"
            return self.move_clock(local - self.now())
        if word == "reminders":
            return self.list_reminders()
        if word == "timezone" and self.alexa is not None and zone_named(rest.strip()) is not UTC:
            self.alexa.zone = rest.strip()
            return f"       (the Echo's time zone is now {self.alexa.zone})\n"
        if word == "as":  # who is speaking: a recognised voice (a stable fake personId per name)
            name = rest.strip()
            if not name or name.lower() == "nobody":
                self.device.person_id = None
                return "       (no voice recognised from now on)\n"
            self.device.person_id = alexa.person_id(name)
            return f"       (speaking as {name}: Alexa recognises this voice)\n"
        return (
            "       (console commands: /later 1d, /at 2026-11-22 18:50, /reminders,"
            " /timezone Europe/Paris, /as maya, /as nobody)\n"
        )

    def zone(self) -> tzinfo:
        return zone_named(self.alexa.zone if self.alexa else "UTC")

    def move_clock(self, step: timedelta) -> str:
        """Time passes (the session ends); reminders due meanwhile go off as Alexa says them."""
        before = self.now()
        self.offset += step
        if self.device.session_id is not None:
            self.handler(self.device.envelope(alexa.session_ended(), self.now()))
            self.device.end_session()
        local = self.now().astimezone(self.zone())
        out = f"       (time passes: it is now {local:%A %Y-%m-%d %H:%M} {local.tzname()})\n"
        for when, text in self.reminders_between(before, self.now()):
            out += f"alexa> (reminder, {when:%A %H:%M}) Here's your reminder: {text}\n"
        return out

    def reminders_between(self, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        due: list[tuple[datetime, str]] = []
        for body in self.alexa.reminders.values() if self.alexa else ():
            schedule, zone, text = _reminder_parts(body)
            at = schedule.next_after(start.astimezone(zone))
            if at <= end:  # said once, however many weeks passed
                due.append((at, text))
        return sorted(due)

    def list_reminders(self) -> str:
        if self.alexa is None or not self.alexa.reminders:
            return "       (no reminders)\n"
        lines = []
        for token, body in self.alexa.reminders.items():
            schedule, zone, text = _reminder_parts(body)
            when = f"every {schedule.day_name} at {schedule.spoken_time()} ({zone})"
            lines.append(f"       ({token}: {when}: {text})\n")
        return "".join(lines)

    def permission_answer(self, line: str) -> str:
        """The couple answers Alexa's own permission question by typing yes or no."""
        token, self.permission_asked = self.permission_asked, None
        word = line.strip().lower()
        status = "ACCEPTED" if word in ("yes", "yes please", "allow") else "DENIED"
        if self.alexa is not None:
            self.alexa.permitted = status == "ACCEPTED"
        if self.device.session_id is None:
            self.device.new_session()
        request = {
            "type": "Connections.Response",
            "name": "AskFor",
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": REMINDERS_SCOPE, "status": status},
            "token": token,
        }
        return self.show(self.handler(self.device.envelope(request, self.now())))


def machine_zone() -> str:
    """This machine's IANA zone name ($TZ, else /etc/localtime's target), else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.path.realpath("/etc/localtime")
            name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        except OSError:
            name = ""
    return name if name and zone_named(name) is not UTC else "UTC"


def _reminder_parts(body: dict[str, Any]) -> tuple[Schedule, tzinfo, str]:
    """A reminder body's weekly schedule, zone and spoken text."""
    trigger = body["trigger"]
    rule = dict(
        part.split("=", 1) for part in trigger["recurrence"]["recurrenceRules"][0].split(";")
    )
    schedule = Schedule(rule["BYDAY"], int(rule["BYHOUR"]), int(rule.get("BYMINUTE", 0)))
    text = str(body["alertInfo"]["spokenInfo"]["content"][0]["text"])
    return schedule, zone_named(trigger.get("timeZoneId")), text


def spoken_text(ssml: str) -> str:
    """SSML to what a listener hears, as text."""
    import re
    from html import unescape

    text = re.sub(r'<audio src="[^"]*"/>', "[narration] ", ssml)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(unescape(text).split())


if __name__ == "__main__":
    sys.exit(main())
