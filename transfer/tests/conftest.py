from datetime import date

import pytest
import time_machine

TODAY = date(2026, 12, 31)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield
