"""The app's code and templates name states and categories through the vocabulary
(State.X, Category.X; templates receive what they compare from the context), never as
string literals. (Action names are left out: "rate" is also a URL's name here. demo.py,
the lead's demo data, is not checked.)"""

import re
from pathlib import Path

import pytest

from cases.models import Category
from workflow.vocabulary import State

APP = Path(__file__).resolve().parents[1]
NAMES = {str(v) for v in [*State, *Category]}
SKIP = {"demo.py"}
QUOTED = re.compile(r"""["']([a-z_]+)["']""")


def _sources() -> list[Path]:
    files = [*APP.glob("*.py"), *APP.glob("templates/**/*.html")]
    return sorted(p for p in files if p.name not in SKIP)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(APP)))
def test_no_state_action_or_category_literal(path):
    found = [
        (number, name)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for name in QUOTED.findall(line)
        if name in NAMES
    ]
    assert not found, found
