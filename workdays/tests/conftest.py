from collections.abc import Iterator
from typing import Any

import pytest

from workdays.signals import calendar_changed


@pytest.fixture
def calendar_signals() -> Iterator[list[dict[str, Any]]]:
    """Every calendar_changed sent during the test, as its keyword arguments."""
    sent: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        sent.append(kwargs)

    calendar_changed.connect(receiver, weak=False)
    yield sent
    calendar_changed.disconnect(receiver)


@pytest.fixture
def admin_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="calendar-admin", password="x")
