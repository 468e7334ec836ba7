"""cases.models.lookups: our constants written into the SQL (so that SQLite matches the
partial indexes' conditions), never anything else; and visible_cases(few=True), the same
cases as the scope's other spelling."""

from datetime import date

import pytest

from cases.models import Case
from cases.permissions import visible_cases
from cases.tests.factories import register

pytestmark = pytest.mark.django_db


def sql_of(qs) -> tuple[str, tuple]:
    return qs.query.sql_with_params()


def test_states_are_written_in_order_and_not_bound() -> None:
    sql, params = sql_of(Case.objects.filter(state__spelled_in=["handling", "registered"]))
    assert """"cases_case"."state" IN ('handling', 'registered')""" in sql
    assert params == ()
    sql, params = sql_of(Case.objects.filter(state__spelled_in=["registered"]))
    assert """"cases_case"."state" = 'registered'""" in sql
    sql, _ = sql_of(Case.objects.filter(round__spelled_gt=1))
    assert """"cases_case"."round" > 1""" in sql


def test_anything_but_an_identifier_is_refused() -> None:
    with pytest.raises(ValueError):
        list(Case.objects.filter(state__spelled_in=["x') OR 1=1 --"]))
    with pytest.raises(ValueError):
        list(Case.objects.filter(state__spelled_in=["Handling"]))
    with pytest.raises(ValueError):
        list(Case.objects.filter(round__spelled_gt="1"))


def test_the_results_are_those_of_in(cast) -> None:
    a = register(cast, on=date(2026, 6, 1), title="甲")
    register(cast, on=date(2026, 6, 1), title="乙")
    Case.objects.filter(pk=a.pk).update(state="handling", round=2)
    assert list(Case.objects.filter(state__spelled_in=["handling"])) == [a]
    assert list(Case.objects.filter(round__spelled_gt=1)) == [a]
    assert not Case.objects.filter(state__spelled_in=[]).exists()


def test_few_sees_the_same_cases(cast) -> None:
    from cases import actions

    mine = register(cast, on=date(2026, 6, 1), title="医政的")
    actions.assign_case(mine, by=cast.coordinator, lead_unit=cast.yizheng)
    other = register(cast, on=date(2026, 6, 1), title="别处的")
    ids = [mine.pk, other.pk]
    for user in (cast.yizheng_head, cast.coordinator):
        base = Case.objects.filter(pk__in=ids)
        assert set(visible_cases(user, base, few=True)) == set(visible_cases(user, base))
    assert list(visible_cases(cast.yizheng_head, Case.objects.filter(pk__in=ids), few=True)) == [
        mine
    ]
