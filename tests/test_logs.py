"""Access logs carry no staff search (query strings) and no resume or password token."""

import contextlib
import io
import logging
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

from clinic.logs import redact_path, redact_request_line, redact_url
from tests.test_settings import ROOT, clean_environment

TOKEN = "Zk3v9Q-secret-resume-token_abc"
SEARCH = "Whitfield"


def test_paths_lose_query_strings_and_tokens():
    resume = reverse("intake:resume", args=[TOKEN])
    password = reverse("staff_password_set", args=["MQ", TOKEN])
    assert redact_path(resume) == "/intake/resume/[token]/"
    assert redact_path(password) == "/staff/password/MQ/[token]/"
    assert redact_path(f"/admin/intake/patient/?q={SEARCH}") == "/admin/intake/patient/"
    assert redact_path("/intake/headaches/") == "/intake/headaches/"
    assert (
        redact_request_line(f"GET {resume}?utm=x HTTP/1.1")
        == "GET /intake/resume/[token]/ HTTP/1.1"
    )
    assert (
        redact_url(f"https://intake.example.org/admin/intake/patient/?q={SEARCH}")
        == "https://intake.example.org/admin/intake/patient/"
    )


def handler_named(name: str) -> logging.Handler:
    loggers = [logging.getLogger(), logging.getLogger("django.server")]
    return next(h for lg in loggers for h in lg.handlers if h.name == name)


def test_runserver_and_request_logs_are_redacted():
    """Through the handlers settings.LOGGING configures, as runserver logs."""
    stream = io.StringIO()
    handlers = [handler_named("console"), handler_named("django.server")]
    previous = [handler.setStream(stream) for handler in handlers]
    try:
        server = logging.getLogger("django.server")
        server.info('"%s" %s %s', f"GET /intake/resume/{TOKEN}/ HTTP/1.1", 302, 0)
        server.info('"%s" %s %s', f"GET /admin/?q={SEARCH} HTTP/1.1", 200, 10)
        logging.getLogger("django.request").warning(
            "Not Found: %s", f"/intake/resume/{TOKEN}/"
        )
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)
    written = stream.getvalue()
    assert "GET /intake/resume/[token]/ HTTP/1.1" in written
    assert "Not Found: /intake/resume/[token]/" in written
    assert "GET /admin/ HTTP/1.1" in written
    assert TOKEN not in written
    assert SEARCH not in written


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn as deployed: the project folder's gunicorn.conf.py, an access log."""
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **clean_environment(),
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            f"--access-logfile={access_log}",
            f"--error-logfile={tmp_path / 'error.log'}",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/admin/login/", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.2)
    yield url, access_log, tmp_path / "error.log"
    process.terminate()
    process.wait(timeout=10)


def test_gunicorns_access_log_keeps_no_search_and_no_token(gunicorn):
    url, access_log, error_log = gunicorn
    for path in [
        f"/intake/resume/{TOKEN}/",
        f"/admin/intake/patient/?q={SEARCH}",
        f"/staff/password/MQ/{TOKEN}/",
    ]:
        request = urllib.request.Request(
            url + path, headers={"Referer": f"{url}/admin/?q={SEARCH}"}
        )
        # The answer does not matter here, only what is logged.
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10)
    time.sleep(0.5)
    written = access_log.read_text() + error_log.read_text()
    assert "GET /intake/resume/[token]/ HTTP/1.1" in written
    assert "GET /admin/intake/patient/ HTTP/1.1" in written
    assert TOKEN not in written
    assert SEARCH not in written
