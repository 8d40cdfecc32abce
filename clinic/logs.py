"""Request lines in logs without query strings or link tokens.

Staff search the patient lists with query strings (names, phone numbers, birth dates),
and a resume link or a password link carries its bearer token in the path. Neither
belongs in a log: the access logs of gunicorn (``gunicorn.conf.py``) and of runserver
(Django's ``django.server`` logger) write the path alone, with any token replaced.
"""

import logging
import re
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

REDACTED = "[token]"
# The path segment after each prefix is a bearer token (intake/urls.py, staff/urls.py).
TOKEN_PATHS = re.compile(
    r"(/intake/resume/|/follow-up/link/|/staff/password/[^/]+/)[^/]+"
)


def redact_path(path: str) -> str:
    """The path without its query string, fragment or link token."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return TOKEN_PATHS.sub(rf"\g<1>{REDACTED}", path)


def redact_url(url: str) -> str:
    """A full URL (a Referer) reduced to its origin and redacted path."""
    if not url or url == "-":
        return url
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return origin + redact_path(parts.path)


def redact_request_line(line: str) -> str:
    """``GET /path?query HTTP/1.1`` as ``GET /path HTTP/1.1``, its token redacted."""
    parts = line.split(" ")
    if len(parts) == 3:
        parts[1] = redact_path(parts[1])
        return " ".join(parts)
    return redact_path(line)


class RedactRequestLine(logging.Filter):
    """For runserver's ``django.server`` log, whose first argument is the request line.

    Also safe on any other record: Django's request logger names only the path
    (``Not Found: /intake/resume/...``), and that is redacted too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.server" and record.args:
            record.args = (redact_request_line(str(record.args[0])), *record.args[1:])
        elif record.name == "django.request" and record.args:
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


class GunicornLogger(Logger):
    """gunicorn's logger, with only the atoms a redacted access log needs.

    Every other atom (request and response headers such as ``Location``, the WSGI
    environment) is left out rather than cleaned one by one: a format naming them
    writes ``-``.
    """

    SAFE_ATOMS = ("h", "l", "u", "t", "s", "m", "H", "b", "B", "a")
    SAFE_ATOMS += ("T", "D", "M", "L", "p")

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        safe = {name: atoms[name] for name in self.SAFE_ATOMS}
        safe["r"] = redact_request_line(atoms["r"])
        safe["U"] = redact_path(atoms["U"] or "")
        safe["q"] = ""
        safe["f"] = redact_url(atoms["f"])
        return safe
