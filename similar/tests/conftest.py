import pytest

from similar import index


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test's database starts anew: so does the in-process index."""
    index.reset()
    yield
    index.reset()


@pytest.fixture
def client_for(db):
    """client_for(user) → a test client logged in as that user."""
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
