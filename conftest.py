"""Fixtures every app's tests share."""

import os

import pytest

# Fixed keys for the tests (huiyin/crypto.py): nothing is written to var/, and a test that
# checks key files sets its own HUIYIN_KEY_DIR and removes these.
os.environ.setdefault("HUIYIN_AUDIT_KEY", "a1" * 32)
os.environ.setdefault("HUIYIN_DATA_KEY", "t1:" + "d2" * 16)


@pytest.fixture
def cast(db):
    from cases.tests.factories import Cast

    return Cast()


@pytest.fixture(autouse=True)
def _own_key_dir(settings, tmp_path_factory):
    # `huiyin audit verify` writes its head checkpoint (audit.head) there: never into var/,
    # never seen by another test.
    settings.HUIYIN_KEY_DIR = tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests create dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_account_ageing(settings):
    # Password expiry and the inactivity limit (orgs/policy.py) count from a user's creation,
    # at the real clock's time, while most tests travel to a fixed day: a test of the account
    # policy turns them on (tests/test_account_policy.py).
    settings.HUIYIN_PASSWORD_MAX_AGE_DAYS = 0
    settings.HUIYIN_INACTIVE_DAYS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    # Django's cache lives in the process (the ledger's filter choices): no test sees
    # what another test's database put there.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_where_enqueued(settings):
    # Whatever HUIYIN_TASKS says, a test's tasks run where they are enqueued (after the
    # commit that enqueues them), with no worker to start. A test of a real backend sets
    # TASKS itself (settings.TASKS = …, or override_settings), which wins over this.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
