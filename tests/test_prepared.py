"""huiyin.prepared: a query compiled once gives, for any value, what its queryset gives —
the same rows in the same order, related rows and annotations included — in one query,
and refuses a queryset whose SQL would depend on the value."""

from datetime import date

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat

from cases import actions
from cases.models import Assignment, Reply, Topic
from cases.tests.factories import register
from huiyin.prepared import SENTINEL, Prepared, cache_rows

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)


def _assignments(pk: int):
    return (
        Assignment.objects.select_related("unit", "handler")
        .filter(case_id=pk)
        .annotate(label=Concat(F("unit__name"), Value("·"), F("kind")))
        .order_by("-id")
    )


@pytest.fixture
def cases(cast):
    first = register(cast, on=ON)
    actions.assign_case(first, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng])
    second = register(cast, on=ON, title="关于另一件事的建议")
    actions.assign_case(second, by=cast.coordinator, lead_unit=cast.jiceng)
    return first, second


def test_the_rows_are_the_querysets_for_every_value(cases, django_assert_num_queries):
    prepared = Prepared(_assignments)
    for case in (*cases, cases[0]):
        expected = list(_assignments(case.pk))
        with django_assert_num_queries(1):  # through the connection's cursor, select_related
            found = prepared.rows(case.pk)
            units = [(a.unit.name, a.label, a.kind, a.status) for a in found]
        assert [a.pk for a in found] == [a.pk for a in expected] != []
        assert units == [(a.unit.name, a.label, a.kind, a.status) for a in expected]
        assert all(a._state.db == "default" and not a._state.adding for a in found)
    assert prepared.rows(0) == []


def test_a_value_the_sql_depends_on_is_refused(cases):
    with pytest.raises(ValueError, match="exactly one parameter"):
        Prepared(lambda pk: Assignment.objects.filter(case_id__in=[pk, pk + 1])).rows(1)
    with pytest.raises(ValueError, match="exactly one parameter"):
        Prepared(lambda pk: Assignment.objects.filter(case_id=1)).rows(1)
    with pytest.raises(ValueError, match="one table"):
        Prepared(lambda pk: Reply.objects.filter(case_id=pk).prefetch_related("commitments")).rows(
            1
        )
    assert SENTINEL < 0  # no row has it


def test_cached_rows_answer_all_and_a_filter_still_asks_by_the_relation(
    cases, django_assert_num_queries
):
    first, second = cases
    rows = Prepared(_assignments).rows(first.pk)
    cache_rows(first, "assignments", rows)
    with django_assert_num_queries(0):
        assert list(first.assignments.all()) == rows
        assert all(a.case is first for a in rows)  # each row's parent, as prefetching sets it
    with django_assert_num_queries(1):
        filtered = list(first.assignments.filter(kind="lead"))
    assert [a.case_id for a in filtered] == [first.pk]
    topics = Prepared(lambda pk: Topic.objects.filter(cases=pk))
    cache_rows(second, "topics", topics.rows(second.pk))
    with django_assert_num_queries(0):
        assert {t.name for t in second.topics.all()} == {"基层卫生", "人才"}
