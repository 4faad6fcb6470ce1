"""Certification: a response that ends the session must not ask anything.

Amazon fails a skill whose response asks a question and then closes the session. Two
checks keep Stagewise clear of it:

- `check_response` (tests/conversation.py) fails a closing response whose speech ends with
  a question mark, in every conversation test;
- `ClosingKeys` (installed for every test by tests/conftest.py) records, for each response
  that closes the session, the content keys its turn rendered and where in skill/ it
  closed. Every variant of those keys, in the request's locale, must ask nothing: a check
  over the content, whichever variant the evening happened to pick. tests/test_closing.py
  finds every place the code closes a session and checks what each says there: from the
  code where it is written there, by reaching it in a conversation where it is not.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skill.content import Content, content_for
from skill.handlers import errors
from skill.handlers.turn import Turn

ROOT = Path(__file__).resolve().parents[1]
SKILL = ROOT / "skill"
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def asks(text: str) -> bool:
    """Does a line ask something? Its own words, not what fills its placeholders (a recap
    reads tonight's question back: that is not the skill asking)."""
    return "?" in _PLACEHOLDER.sub("", text)


def forms(content: Content, key: str) -> list[str]:
    """A key as the content holds it: itself, or its plural forms ("key#one", "key#other"),
    or its forms for the parts of the day ("key@morning", ... "key@late")."""
    if key in content.prompts:
        return [key]
    return sorted(k for k in content.prompts if k.startswith((f"{key}#", f"{key}@")))


def asking_variants(content: Content, key: str) -> list[str]:
    return [v for form in forms(content, key) for v in content.variants(form) if asks(v)]


@dataclass(frozen=True)
class Site:
    """A place in skill/ that ends a session, and the content keys written into what it says
    there (none when what it says is built elsewhere: then only a conversation can tell)."""

    name: str  # "file:line"
    lines: range  # the lines its call spans
    keys: frozenset[str]


def close_sites(prompt_keys: set[str]) -> dict[str, Site]:
    """Every place in skill/ that ends a session: each `turn.close(...)` (keys: those in the
    speech it is given), the error handlers' `_close` (keys: those it is called with) and
    any response built with `should_end_session=True` (keys: those of its function)."""
    sites: dict[str, Site] = {}

    def is_key(value: object) -> bool:
        return isinstance(value, str) and (
            value in prompt_keys
            or any(k.startswith((f"{value}#", f"{value}@")) for k in prompt_keys)
        )

    def keys_in(*nodes: ast.AST) -> frozenset[str]:
        return frozenset(
            n.value
            for node in nodes
            for n in ast.walk(node)
            if isinstance(n, ast.Constant) and is_key(n.value)
        )

    def assigned_keys(node: ast.AST, function: ast.AST | None) -> frozenset[str]:
        """Keys given to the names `node` uses, where its function assigns them
        (`key = "a" if moved else "b"`, `speech = turn.speech("c")`)."""
        if function is None:
            return frozenset()
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id != "turn"}
        found: set[str] = set()
        for statement in ast.walk(function):
            if isinstance(statement, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in names for t in statement.targets
            ):
                found |= keys_in(statement.value)
        return frozenset(found)

    for path in sorted(SKILL.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        where = path.relative_to(ROOT).as_posix()
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            name = f"{where}:{node.lineno}"
            around = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or 0)]
            if isinstance(func, ast.Attribute) and func.attr == "close":
                if isinstance(func.value, ast.Name) and func.value.id == "turn":
                    said = node.args[:1]
                    keys = keys_in(*said) | assigned_keys(said[0], around[-1] if around else None)
                    sites[name] = Site(name, lines, keys)
            elif isinstance(func, ast.Name) and func.id == "_close" and where.endswith("errors.py"):
                line = _line_of(errors._close)
                site = f"{where}:{line}"
                known = sites.get(site, Site(site, range(line, line + 1), frozenset()))
                sites[site] = Site(site, known.lines, known.keys | keys_in(*node.args[1:]))
            elif any(k.arg == "should_end_session" for k in node.keywords):
                sites[name] = Site(name, lines, keys_in(*around[-1:]))
    return sites


def site_of(reached: str, sites: dict[str, Site]) -> str | None:
    """The close site a recorded "file:line" falls in."""
    where, _, line = reached.rpartition(":")
    for site in sites.values():
        if site.name.rpartition(":")[0] == where and int(line) in site.lines:
            return site.name
    return None


def _line_of(function: Any) -> int:
    return int(function.__code__.co_firstlineno)


@dataclass
class Closing:
    """One response that ended a session: where, in which locale, and what its turn said."""

    site: str
    locale: str
    keys: tuple[str, ...]


@dataclass
class ClosingKeys:
    """Records every closing response of a test; see the module docstring."""

    closings: list[Closing] = field(default_factory=list)

    def install(self, monkeypatch: Any) -> None:
        line, ask, close, close_error = Turn.line, Turn.ask, Turn.close, errors._close

        def recording_line(turn: Turn, key: str, **kwargs: Any) -> str:
            turn.__dict__.setdefault("_keys_said", []).append(key)
            return line(turn, key, **kwargs)

        def recording_ask(turn: Turn, *args: Any, **kwargs: Any) -> Any:
            # A response that asks was built: what it said is not what a later close says
            # (a failed save asks "shall I try again?", then gives up and closes).
            turn.__dict__["_keys_said"] = []
            return ask(turn, *args, **kwargs)

        def recording_close(turn: Turn, *args: Any, **kwargs: Any) -> Any:
            caller = sys._getframe(1)
            site = f"{_site(caller.f_code.co_filename)}:{caller.f_lineno}"
            said = tuple(turn.__dict__.get("_keys_said", ()))
            self.closings.append(Closing(site, turn.content.locale, said))
            return close(turn, *args, **kwargs)

        def recording_close_error(handler_input: Any, key: str) -> Any:
            locale = getattr(handler_input.request_envelope.request, "locale", None) or ""
            site = f"skill/handlers/errors.py:{_line_of(close_error)}"
            self.closings.append(Closing(site, content_for(str(locale)).locale, (key,)))
            return close_error(handler_input, key)

        monkeypatch.setattr(Turn, "line", recording_line)
        monkeypatch.setattr(Turn, "ask", recording_ask)
        monkeypatch.setattr(Turn, "close", recording_close)
        monkeypatch.setattr(errors, "_close", recording_close_error)

    def asking(self) -> Iterator[str]:
        """Each closing key with a variant that asks something, once, with where it closed."""
        seen: set[tuple[str, str, str]] = set()
        for closing in self.closings:
            content = content_for(closing.locale)
            for key in closing.keys:
                for variant in asking_variants(content, key):
                    if (closing.site, key, variant) not in seen:
                        seen.add((closing.site, key, variant))
                        yield f"{closing.site} {closing.locale} {key}: {variant!r}"


def _site(filename: str) -> str:
    path = Path(filename).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
