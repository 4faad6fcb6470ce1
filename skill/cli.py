"""The `stagewise` command: talk to the skill locally, set up storage, serve, build audio."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from skill import envelope as alexa
from skill.app import build_skill, handle_event
from skill.config import Settings
from skill.nlu import Resolver, packaged_model
from skill.store import StorageError, open_store

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
    _add_optional(commands, "audio", "skill.narration.cli", "build and publish narration clips")

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
        app = build_skill(settings)
    except ValueError as err:
        return _fail(str(err))
    except StorageError as err:
        return _fail(str(err), 1)
    device = alexa.Device(user_id=f"amzn1.ask.account.{args.household}", locale=args.locale)
    console = Console(lambda event: handle_event(app, event), device, now)
    return console.run(stdin, stdout)


class Console:
    """Reads lines, resolves them like Alexa, sends real envelopes, prints what Alexa says."""

    def __init__(
        self,
        handler: Callable[[dict[str, Any]], dict[str, Any]],
        device: alexa.Device,
        now: datetime | None = None,
    ) -> None:
        self.handler = handler
        self.device = device
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
        resolver = Resolver(packaged_model(), self.now().date())
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
        for directive in response.get("directives", []):
            if directive.get("type") == "Dialog.ElicitSlot":
                self.eliciting = (directive["updatedIntent"]["name"], directive["slotToElicit"])
        speech = spoken_text(response.get("outputSpeech", {}).get("ssml", ""))
        out = f"alexa> {speech}\n" if speech else ""
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
            self.offset += timedelta(**{unit: int(amount[:-1])})
            if self.device.session_id is not None:
                self.handler(self.device.envelope(alexa.session_ended(), self.now()))
                self.device.end_session()
            return f"       (time passes: it is now {self.now():%A %Y-%m-%d %H:%M} UTC)\n"
        if word == "as":  # who is speaking: a recognised voice (a stable fake personId per name)
            name = rest.strip()
            if not name or name.lower() == "nobody":
                self.device.person_id = None
                return "       (no voice recognised from now on)\n"
            self.device.person_id = alexa.person_id(name)
            return f"       (speaking as {name}: Alexa recognises this voice)\n"
        return "       (console commands: /later 1d, /as maya, /as nobody)\n"


def spoken_text(ssml: str) -> str:
    """SSML to what a listener hears, as text."""
    import re
    from html import unescape

    text = re.sub(r'<audio src="[^"]*"/>', "[narration] ", ssml)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(unescape(text).split())


if __name__ == "__main__":
    sys.exit(main())
