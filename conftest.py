"""Fixtures every app's tests share."""

import pytest


@pytest.fixture
def cast(db):
    from cases.tests.factories import Cast

    return Cast()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests create dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
