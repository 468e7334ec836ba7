"""Fixtures of the console tests: logged-in clients, the browser fixtures, and a clean
deadline-rule cache (a rolled-back test must not leave its rules to the next one)."""

from collections.abc import Iterator

import pytest
from django.test import Client

from cases.deadline_rules import clear_rule_cache
from tests.browser.conftest import (  # noqa: F401 (fixtures and the report hook, re-exported)
    browser,
    chromium_path,
    page,
    phone_page,
    pytest_runtest_makereport,
    screenshot,
)


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Iterator[None]:
    clear_rule_cache()
    yield
    clear_rule_cache()


@pytest.fixture
def client_for(db):
    """client_for(user) → a test client logged in as that user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
