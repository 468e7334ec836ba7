"""Who sees a case (cases.permissions.visible_cases, cases.queries.case_for_user): a unit
sees it while its assignment is live, and no longer once the assignment is returned or
cancelled; a lead unit sees imported history that has no assignment rows; anything that is
not a visible case's id is a 404."""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from cases import actions, involvement
from cases.models import Case
from cases.permissions import relations, visible_cases
from cases.queries import case_for_user
from cases.tests.factories import make_unit, make_user
from cases.tests.walks import FROZEN, case_in
from orgs.models import Role

pytestmark = pytest.mark.django_db


def sees(user, case) -> bool:
    listed = visible_cases(user).filter(pk=case.pk).exists()
    try:
        opened = case_for_user(user, case.pk) == case
    except Http404:
        opened = False
    assert listed == opened, "the list and the case page must agree"
    return listed


@FROZEN
def test_a_co_unit_sees_the_case_from_assignment_to_opinion(cast):
    case = case_in(cast, "assigned")
    # Pending (not yet signed for) is live: the co-unit must be able to open it.
    assert case.assignments.get(unit=cast.jiceng).status == "pending"
    assert sees(cast.jiceng_head, case)
    actions.submit_opinion(case, by=cast.jiceng_head, text="同意", on=date(2026, 3, 5))
    assert case.assignments.get(unit=cast.jiceng).status == "accepted"
    assert sees(cast.jiceng_head, case)
    assert relations(cast.jiceng_head, case) == {"co_unit"}
    # A unit the case was never given to.
    assert not sees(cast.zhongyi_head, case)
    assert relations(cast.zhongyi_head, case) == set()


@FROZEN
def test_returned_case_disappears_for_its_units(cast):
    case = case_in(cast, "assigned")
    actions.return_case(case, by=cast.yizheng_head, reason="不属本处职责", on=date(2026, 3, 6))
    assert sorted(case.assignments.values_list("unit__code", "status")) == [
        ("fagaiwei", "cancelled"),
        ("jiceng", "cancelled"),
        ("yizheng", "returned"),
    ]
    for user in (cast.jiceng_head, cast.yizheng_head, cast.yizheng_handler):
        assert not sees(user, case)
        with pytest.raises(Http404):
            case_for_user(user, case.pk)
        assert relations(user, case) == set()
    assert sees(cast.coordinator, case)


@FROZEN
def test_withdrawn_case_disappears_for_its_co_units(cast):
    case = case_in(cast, "assigned")
    actions.withdraw_case(case, by=cast.coordinator, reason="改办", on=date(2026, 3, 6))
    assert not sees(cast.jiceng_head, case)
    assert not sees(cast.yizheng_head, case)
    assert sees(cast.viewer, case)


@FROZEN
def test_a_co_unit_of_a_reassigned_case_sees_it_only_if_given_again(cast):
    case = case_in(cast, "assigned")
    actions.return_case(case, by=cast.yizheng_head, reason="不属本处职责", on=date(2026, 3, 6))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.zhongyi, assigned_on=date(2026, 3, 9)
    )
    assert sees(cast.zhongyi_head, case)
    assert relations(cast.zhongyi_head, case) == {"lead_unit", "lead_head"}
    assert not sees(cast.jiceng_head, case)  # its old, cancelled assignment does not count
    assert not sees(cast.yizheng_head, case)


def _imported(cast, **fields) -> Case:
    """A closed case of an earlier year as the ledger import writes it: a lead unit, no
    assignment rows."""
    values = {
        "category": "npc_suggestion",
        "level": "municipal",
        "year": 2024,
        "number": "20240001",
        "title": "关于社区卫生服务中心建设的建议",
        "mode": "lead",
        "state": "closed",
        "received_on": date(2024, 3, 1),
        "assigned_on": date(2024, 3, 5),
        "replied_on": date(2024, 6, 1),
        "reply_class": "A",
        "last_action_on": date(2024, 6, 1),
        "lead_unit": cast.yizheng,
    }
    values.update(fields)
    case = Case.objects.create(**values)
    # As the importer does after writing a chunk (audit.signals.cases_written): the
    # units' parts follow the case (cases.involvement).
    involvement.refresh([case.pk])
    return case


@FROZEN
def test_a_lead_unit_sees_its_imported_history_without_assignments(cast):
    case = _imported(cast)
    assert not case.assignments.exists()
    assert sees(cast.yizheng_head, case)
    assert sees(cast.yizheng_handler, case)
    assert not sees(cast.jiceng_head, case)
    # Seeing is not acting: no live assignment, no unit relation.
    assert relations(cast.yizheng_head, case) == set()


@FROZEN
def test_commission_roles_see_everything_and_others_nothing(cast):
    case = case_in(cast, "registered")
    imported = _imported(cast)
    everything = {case.pk, imported.pk}
    for user in (cast.coordinator, cast.leader, cast.viewer, cast.admin):
        assert set(visible_cases(user).values_list("pk", flat=True)) == everything
        assert case_for_user(user, str(case.pk)) == case
    assert not visible_cases(cast.outsider).exists()
    with pytest.raises(Http404):
        case_for_user(cast.outsider, case.pk)
    # A unit head: the imported case of the unit, not the unassigned new one.
    assert set(visible_cases(cast.yizheng_head).values_list("pk", flat=True)) == {imported.pk}


@FROZEN
def test_visible_cases_narrows_a_given_queryset(cast):
    first = _imported(cast, number="20240001")
    second = _imported(cast, number="20240002")
    other = _imported(cast, number="20240003", lead_unit=cast.jiceng)
    base = Case.objects.filter(pk__in=[first.pk, other.pk])
    assert set(visible_cases(cast.coordinator, base)) == {first, other}
    assert set(visible_cases(cast.yizheng_head, base)) == {first}
    assert set(visible_cases(cast.outsider, base)) == set()
    assert second not in visible_cases(cast.coordinator, base)


@FROZEN
def test_relations_name_every_commission_role(cast):
    case = case_in(cast, "handling")
    assert relations(cast.coordinator, case) == {"coordinator"}
    assert relations(cast.leader, case) == {"leader"}
    assert relations(cast.viewer, case) == {"viewer"}
    assert relations(cast.admin, case) == {"admin"}
    assert relations(cast.outsider, case) == set()
    assert relations(cast.yizheng_head, case) == {"lead_unit", "lead_head"}
    assert relations(cast.yizheng_handler, case) == {"lead_unit"}
    assert relations(cast.jiceng_head, case) == {"co_unit"}
    both = make_user(
        "both", (cast.office, Role.COORDINATOR), (cast.jiceng, Role.HANDLER), full_name="兼职"
    )
    assert relations(both, case) == {"coordinator", "co_unit"}


@FROZEN
def test_relations_skip_ended_assignments_passed_in(cast):
    case = case_in(cast, "assigned")
    given = list(case.assignments.all())
    actions.return_case(case, by=cast.yizheng_head, reason="不属本处职责", on=date(2026, 3, 6))
    ended = list(case.assignments.all())
    assert relations(cast.jiceng_head, case, given) == {"co_unit"}
    assert relations(cast.jiceng_head, case, ended) == set()
    assert relations(cast.yizheng_head, case, ended) == set()


@FROZEN
def test_a_head_of_another_unit_who_handles_here_is_not_lead_head(cast):
    case = case_in(cast, "handling")
    other = make_unit("guihua", "规划发展与信息化处")
    person = make_user("mixed", (other, Role.HEAD), (cast.yizheng, Role.HANDLER))
    assert relations(person, case) == {"lead_unit"}


# ── case_for_user's argument ────────────────────────────────────────────────────────────


@FROZEN
@pytest.mark.parametrize("pk", ["abc", "", " ", "1.5", None, "1e3", [], {}, object()])
def test_a_case_id_that_is_not_a_number_is_a_404(cast, pk):
    case_in(cast, "registered")
    with pytest.raises(Http404):
        case_for_user(cast.coordinator, pk)


@FROZEN
def test_only_an_integer_or_its_digits_name_a_case(cast):
    case = case_in(cast, "registered")
    assert case_for_user(cast.coordinator, case.pk) == case
    assert case_for_user(cast.coordinator, f"0{case.pk}") == case
    for pk in (float(case.pk), f"0_{case.pk}", f"{case.pk}.0", True, f"+{case.pk}"):
        with pytest.raises(Http404):
            case_for_user(cast.coordinator, pk)


@FROZEN
@pytest.mark.parametrize("pk", [2**63, "9" * 19, "9" * 20, "9" * 5000, 0, "0"])
def test_an_id_beyond_the_column_is_a_404_not_a_crash(cast, pk):
    case_in(cast, "registered")
    with pytest.raises(Http404):
        case_for_user(cast.coordinator, pk)


@FROZEN
def test_a_missing_case_is_a_404_and_a_numeric_string_works(cast):
    case = case_in(cast, "registered")
    assert case_for_user(cast.coordinator, f" {case.pk} ") == case
    with pytest.raises(Http404):
        case_for_user(cast.coordinator, case.pk + 1000)
    with pytest.raises(Http404):
        case_for_user(cast.coordinator, -1)


@FROZEN
def test_case_for_user_locks_the_row_only_when_asked(cast, monkeypatch):
    case = case_in(cast, "handling")
    locked: list[bool] = []
    select_for_update = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        locked.append(True)
        return select_for_update(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    assert case_for_user(cast.yizheng_head, case.pk) == case
    assert locked == []
    with transaction.atomic():
        found = case_for_user(cast.yizheng_head, case.pk, for_update=True)
    assert found == case and found.lead_unit == cast.yizheng
    assert locked == [True]
