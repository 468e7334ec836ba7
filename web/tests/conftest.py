"""Fixtures of the web tests.

pytest loads only the conftest.py files on a test's own path, so the Playwright fixtures
of tests/browser/conftest.py are imported here to be visible to web/tests as well.
"""

import pytest
from django.test import Client

from tests.browser.conftest import (  # noqa: F401 (fixtures and the report hook, re-exported)
    browser,
    chromium_path,
    page,
    phone_page,
    pytest_runtest_makereport,
    screenshot,
)


@pytest.fixture
def client_for(db):
    """client_for(user) → a test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
