"""Anonymous visitors reach the public page and nothing else of 群众意见: every /opinions/
staff URL sends them to the login page, the API answers 401."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opinions.public.urls import urlpatterns as public_patterns

pytestmark = pytest.mark.django_db


def _staff_urls() -> list[str]:
    """Every URL under /opinions/ (the intake and statistics helpers' patterns), with 1 for
    each argument."""
    found: list[str] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and prefix.startswith("opinions/") and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                converters = entry.pattern.converters
                args = [1 for _ in converters] if converters else []
                try:
                    found.append(reverse(name, args=args))
                except Exception:
                    found.append(reverse(name, args=["x" for _ in converters]))

    walk(get_resolver().url_patterns, "", None)
    return sorted(set(found))


def test_there_are_staff_urls_to_check():
    assert _staff_urls(), "no /opinions/ URL found"
    assert all(u.startswith("/opinions/") for u in _staff_urls())


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_gets_the_login_page_for_every_staff_url(client, method):
    for url in _staff_urls():
        response = getattr(client, method)(url)
        # 405: a GET-only URL refuses the POST before anything else
        allowed = (302, 405) if method == "post" else (302,)
        assert response.status_code in allowed, (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/login/"), (url, response["Location"])


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/cases?category=public_opinion"),
        ("post", "/api/v1/cases"),
        ("get", "/api/v1/cases/1"),
        ("post", "/api/v1/cases/1/actions/forward"),
    ],
)
def test_anonymous_gets_401_from_the_api(client, method, url):
    response = getattr(client, method)(
        url, content_type="application/json", data={} if method == "post" else None
    )
    assert response.status_code == 401


def test_the_public_urls_need_no_login(client, cast):
    names = {p.name for p in public_patterns}
    assert names == {"new", "receipt", "query", "track"}
    assert client.get("/yijian/").status_code == 200
    assert client.get("/yijian/query/").status_code == 200
