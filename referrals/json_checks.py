"""Checks of JSON-like values that name each bad part by its path.

Pure Python, no Django: the routing engine's facts record is checked with these
(``referrals.facts_schema``, docs/routing.md section 1).

A check takes a value and returns None when it is valid, else its problem: a message,
or for a list or an object {path suffix: message} naming each bad part, such as "[2]"
or "[2].weeks". Paths are built only for problems, because validation is on the hot
path of routing; the container of a bad part puts its own path in front.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

Problem = str | dict[str, str] | None
Check = Callable[[Any], Problem]

# The types of a JSON object: testing dict first is much faster than the Mapping ABC.
OBJECT = (dict, Mapping)
_KINDS = {bool: "boolean", int: "integer", float: "number", str: "string"}


def kind(value: Any) -> str:
    """Name a value's JSON type for an error message."""
    if value is None:
        return "null"
    if isinstance(value, OBJECT):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    return _KINDS.get(type(value), type(value).__name__)


def _add(problems: dict[str, str], path: str, problem: str | dict[str, str]) -> None:
    """Add the problem of the value at ``path`` to ``problems``."""
    if isinstance(problem, str):
        problems[path] = problem
    else:
        for suffix, message in problem.items():
            problems[path + suffix] = message


def each(check: Check, items: Iterable[Any]) -> Problem:
    """Check every item of a list, naming a bad item by its index."""
    problems: dict[str, str] = {}
    for index, item in enumerate(items):
        problem = check(item)
        if problem is not None:
            _add(problems, f"[{index}]", problem)
    return problems or None


def whole_number(low: int, high: int, *, nullable: bool = False) -> Check:
    """Check a whole number in ``[low, high]``; a boolean is not a number."""
    wanted = "a whole number or null" if nullable else "a whole number"

    def check(value: Any) -> Problem:
        if type(value) is int:
            if low <= value <= high:
                return None
            return f"must be between {low} and {high}, got {value}"
        if value is None and nullable:
            return None
        return f"must be {wanted}, got {kind(value)}"

    return check


def boolean(value: Any) -> Problem:
    """Check a boolean."""
    if type(value) is not bool:
        return f"must be true or false, got {kind(value)}"
    return None


def non_blank(value: Any) -> Problem:
    """Check a non-blank string."""
    if not isinstance(value, str):
        return f"must be a string, got {kind(value)}"
    if not value.strip():
        return "must not be blank"
    return None


def code_in(allowed: Collection[str]) -> Check:
    """Check one code of ``allowed``."""

    def check(value: Any) -> Problem:
        if not isinstance(value, str):
            return f"must be a code (string), got {kind(value)}"
        if value not in allowed:
            return f"unknown code {value!r}"
        return None

    return check


def codes_in(allowed: Collection[str]) -> Check:
    """Check a list of codes of ``allowed``."""
    check_code = code_in(allowed)

    def check(value: Any) -> Problem:
        if not isinstance(value, (list, tuple)):
            return f"must be a list of codes, got {kind(value)}"
        return each(check_code, value)

    return check


def record(checks: Mapping[str, Check]) -> Check:
    """Check an object with exactly the keys of ``checks``."""

    def check(value: Any) -> Problem:
        if not isinstance(value, OBJECT):
            return f"must be an object, got {kind(value)}"
        problems: dict[str, str] = {}
        missing = 0
        for key, check_field in checks.items():
            if key not in value:
                problems[f".{key}"] = "required"
                missing += 1
                continue
            problem = check_field(value[key])
            if problem is not None:
                _add(problems, f".{key}", problem)
        if len(value) > len(checks) - missing:  # so value has keys checks lacks
            unknown: dict[str, str] = {}
            for key in sorted(value.keys() - checks.keys(), key=repr):
                name = key if isinstance(key, str) else repr(key)
                unknown[f".{name}"] = "unknown key"
            problems = {**unknown, **problems}  # unknown keys are named first
        return problems or None

    return check
