"""Every page is sent with a strict Content-Security-Policy (issue 9, point 7), and no
template carries what that policy would block: an inline script or an on* handler.

The pages are those of the permission matrix (tests/test_permission_matrix.py), for every
role: whatever a page answers (200, 302, 403, 404), it carries the policy."""

import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from huiyin.csp import HEADER
from tests.test_permission_matrix import TODAY, USERS, WEB, _fill, world  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def assert_strict(policy: str) -> None:
    d = directives(policy)
    assert d["script-src"] == ["'self'"], policy
    assert "'unsafe-inline'" not in d["script-src"] and "'unsafe-eval'" not in d["script-src"]
    assert d["object-src"] == ["'none'"]
    assert d["base-uri"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["form-action"] == ["'self'"]


GETS = [
    pytest.param(name, user, id=f"{name}-{user or 'anonymous'}")
    for name, row in WEB.items()
    if row[0] == "get"
    for user in USERS
]


@pytest.mark.parametrize(("operation", "username"), GETS)
def test_every_page_carries_the_policy(db, world, operation, username):  # noqa: F811
    _, path, _, _ = WEB[operation]
    client = Client()
    if username is not None:
        client.force_login(get_user_model().objects.get(username=username))
    with time_machine.travel(TODAY, tick=False):
        response = client.get(_fill(path, world))
    assert HEADER in response, f"{operation} ({response.status_code}) has no policy"
    assert_strict(response[HEADER])


def test_error_pages_and_the_api_carry_it_too(db, world):  # noqa: F811
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    for path in ["/no-such-page/", "/api/v1/openapi.json", "/api/v1/docs"]:
        response = client.get(path)
        assert HEADER in response, path
        assert_strict(response[HEADER])


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def templates() -> list[Path]:
    skip = {".venv", "node_modules", "test-artifacts"}
    return [
        p for p in ROOT.rglob("*.html") if "templates" in p.parts and not skip.intersection(p.parts)
    ]


def test_no_template_has_inline_script_or_handlers():
    found = templates()
    assert len(found) > 50  # the scan really reads the project's templates
    offenders = []
    for path in found:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []
