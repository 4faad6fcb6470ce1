"""The small part of APL's ${...} expression language the document uses, and data binding."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stagewise_tools.apl_html.errors import UnsupportedAPL

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'[^']*'|\"[^\"]*\")|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>==|!=|>=|<=|&&|\|\||[<>!().]))"
)
_BINDING = re.compile(r"\$\{([^}]*)\}")


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(source.rstrip()):
        match = _TOKEN.match(source, position)
        if not match or match.lastgroup is None:
            raise UnsupportedAPL(f"cannot read expression {source!r} at {position}")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over ||, &&, ==/!=, comparisons, !, literals and dotted paths."""

    def __init__(self, source: str, scope: dict[str, Any]) -> None:
        self.source, self.scope = source, scope
        self.tokens = _tokens(source)
        self.position = 0

    def parse(self) -> Any:
        value = self._or()
        if self.position != len(self.tokens):
            raise UnsupportedAPL(f"unexpected {self.tokens[self.position]} in {self.source!r}")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise UnsupportedAPL(f"expression ends early: {self.source!r}")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _binary(self, operators: dict[str, Callable[[Any, Any], Any]], operand: Any) -> Any:
        value = operand()
        while self._peek() in operators:
            operator = operators[self._take()[1]]
            value = operator(value, operand())
        return value

    def _or(self) -> Any:
        return self._binary({"||": lambda a, b: a or b}, self._and)

    def _and(self) -> Any:
        return self._binary({"&&": lambda a, b: a and b}, self._equality)

    def _equality(self) -> Any:
        return self._binary(
            {"==": lambda a, b: a == b, "!=": lambda a, b: a != b}, self._comparison
        )

    def _comparison(self) -> Any:
        return self._binary(
            {
                "<": lambda a, b: a < b,
                "<=": lambda a, b: a <= b,
                ">": lambda a, b: a > b,
                ">=": lambda a, b: a >= b,
            },
            self._unary,
        )

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not self._unary()
        return self._primary()

    def _primary(self) -> Any:
        kind, text = self._take()
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return text[1:-1]
        if text == "(":
            value = self._or()
            if self._take()[1] != ")":
                raise UnsupportedAPL(f"missing ) in {self.source!r}")
            return value
        if kind == "name":
            literals = {"true": True, "false": False, "null": None}
            if text in literals:
                return literals[text]
            value = self._lookup(self.scope, text, text)
            path = text
            while self._peek() == ".":
                self._take()
                field = self._take()[1]
                path += "." + field
                value = self._lookup(value, field, path)
            return value
        raise UnsupportedAPL(f"unexpected {text!r} in {self.source!r}")

    def _lookup(self, value: Any, field: str, path: str) -> Any:
        # APL quietly yields null for a missing field; a preview should say so instead.
        if not isinstance(value, dict) or field not in value:
            raise UnsupportedAPL(f"${{{path}}} is not bound (in {self.source!r})")
        return value[field]


def evaluate(value: Any, scope: dict[str, Any]) -> Any:
    """Resolve data binding in one property: a lone ${...} keeps its type, else a string."""
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _BINDING.fullmatch(value)
    if whole:
        return _Parser(whole.group(1), scope).parse()

    def text(match: re.Match[str]) -> str:
        result = _Parser(match.group(1), scope).parse()
        return "" if result is None else str(result)

    return _BINDING.sub(text, value)


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")
