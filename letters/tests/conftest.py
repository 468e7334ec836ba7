"""The letters' tests print for a configured commission (a placeholder one is refused)."""

import pytest

from letters.actions import configure_organisation
from letters.setup import default_copy_to

TEST_COMMISSION = "江城市卫生健康委员会"
TEST_CODE = "江卫函"


def configure(**overrides):
    values = {
        "name": TEST_COMMISSION,
        "codes": {"reply": TEST_CODE},
        "copy_to": default_copy_to(),
        "contact": "",
        "phone": "",
    }
    values.update(overrides)
    return configure_organisation(by=None, **values)


@pytest.fixture(autouse=True)
def organisation(request):
    """Configured for every test that uses the database (`unconfigure()` undoes it)."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        configure()


def unconfigure():
    """Back to the state of a new installation: nothing saved, the defaults in force."""
    from letters.models import LetterSeries, Organisation

    Organisation.objects.all().delete()
    LetterSeries.objects.all().delete()
