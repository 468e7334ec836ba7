"""Where mail goes (settings.py's e-mail block): SMTP when EMAIL_URL or EMAIL_HOST is set,
the console only when neither is; a bad value stops the start."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from huiyin.settings import _email_from_url


def test_email_urls():
    found = _email_from_url("smtp+tls://mailer:p%40ss%3Aword@mail.example.gov.cn")
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }
    plain = _email_from_url("smtp://10.1.2.3:2525")
    assert (plain["EMAIL_HOST"], plain["EMAIL_PORT"], plain["EMAIL_USE_TLS"]) == (
        "10.1.2.3",
        2525,
        False,
    )
    ssl = _email_from_url("smtp+ssl://mail.example.gov.cn")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"]) == (465, True)
    assert _email_from_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    for bad in ("http://mail", "smtp://", "smtp://host:99999", "smtp://host:abc"):
        with pytest.raises(ImproperlyConfigured):
            _email_from_url(bad)


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'huiyin.settings'; "
        "from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, "
        "settings.EMAIL_USE_TLS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean | env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.core.mail.backends.console.EmailBackend localhost 25 False"),
        (
            {"EMAIL_HOST": "mail.example.gov.cn", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "1"},
            "django.core.mail.backends.smtp.EmailBackend mail.example.gov.cn 587 True",
        ),
        (
            {"EMAIL_URL": "smtp://127.0.0.1:1025", "EMAIL_HOST": "ignored.example"},
            "django.core.mail.backends.smtp.EmailBackend 127.0.0.1 1025 False",
        ),
    ],
)
def test_the_backend_follows_the_environment(env, expected):
    done = _settings_in_a_fresh_process(**env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


def test_bad_values_stop_the_start():
    for env in (
        {"EMAIL_URL": "imap://mail"},
        {"EMAIL_HOST": "mail", "EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"},
        {"EMAIL_HOST": "mail", "EMAIL_PORT": "twenty-five"},
    ):
        done = _settings_in_a_fresh_process(**env)
        assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr, env
