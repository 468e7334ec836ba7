"""Who sees which lists, and who reviews an item's 销号.

The office, leaders and viewers (the commission's roles) see every list; a unit sees the
lists in which it holds an item (lead or co-unit, or the owner of a measure: a co-unit
assignment of the item), and the owner and delegates see theirs. An invisible list is a
404, as an invisible case is."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cases.models import Case, CaseUnit
from cases.models.choices import Category
from huiyin.types import User
from lists.models import RectList
from orgs.access import standing_of
from orgs.models import Role
from workflow.vocabulary import Relation, State


def visible_lists(user: User) -> QuerySet[RectList]:
    standing = standing_of(user)
    lists = RectList.objects.all()
    if standing.sees_all:
        return lists
    mine = Q(owner=user) | Q(delegates=user)
    if standing.unit_ids:
        parts = CaseUnit.objects.filter(
            unit_id__in=sorted(standing.unit_ids),
            category=Category.LIST_ITEM,
            case__list_item__rect_list=OuterRef("pk"),
        )
        mine |= Q(Exists(parts))
    return lists.filter(mine).distinct()


# Who may own a list or review its 销号: those who see every case (orgs.access.Standing).
REVIEWER_ROLES = (Role.COORDINATOR, Role.LEADER, Role.VIEWER)


def reviewer_candidates() -> QuerySet[User]:
    """The people a list's owner and delegates are chosen from (lists.actions.create_list
    refuses anyone else: a reviewer must see every item of the list)."""
    return (
        User.objects.filter(is_active=True, memberships__role__in=REVIEWER_ROLES)
        .distinct()
        .order_by("username")
    )


def list_for_user(user: User, pk: int) -> RectList:
    found = visible_lists(user).filter(pk=pk).first()
    if found is None:
        raise Http404("清单不存在")
    return found


def is_reviewer(user: User, rect_list: RectList) -> bool:
    if rect_list.owner_id == user.pk:
        return True
    return rect_list.delegates.filter(pk=user.pk).exists()


def may_edit(user: User, rect_list: RectList) -> bool:
    """Whether the user may add items to the list (lists.actions.check_list_editor's rule)."""
    return standing_of(user).has(Role.COORDINATOR) or is_reviewer(user, rect_list)


def item_relations(user: User, case: Case) -> set[str]:
    """The workflow's own relation: 销号审核人 (the list's owner or a delegate)."""
    if not user.is_authenticated:
        return set()
    reviewer = RectList.objects.filter(items__case_id=case.pk).filter(
        Q(owner=user) | Q(delegates=user)
    )
    return {Relation.REVIEWER} if reviewer.exists() else set()


def kept_evidence(case: Case) -> set[int]:
    """The item's files that stay (workflow `kept`): the evidence of a measure asked to be
    struck off or struck off, and every evidence file once the item's 销号 is asked for."""
    from lists.models import Evidence, MeasureStatus
    from workflow.vocabulary import State

    evidence = Evidence.objects.filter(item_id=case.pk)
    if case.state not in (State.REVIEWING, State.CLOSED):
        evidence = evidence.filter(
            measure__status__in=(MeasureStatus.SUBMITTED, MeasureStatus.STRUCK_OFF)
        )
    return set(evidence.values_list("attachment_id", flat=True))


def with_counts(lists: QuerySet[RectList], user: User, on: date) -> QuerySet[RectList]:
    """The lists with the counts of their items the user may see: `n_items`, `n_closed`
    (已销号), `n_overdue` (整改中 past the deadline) — a unit counts its own items only."""
    from cases.figures import overdue_q
    from cases.permissions import visible_cases

    mine = Q()
    if not standing_of(user).sees_all:
        mine = Q(items__case_id__in=visible_cases(user).values("pk"))
    overdue = overdue_q(on, "items__case__")
    return lists.annotate(
        n_items=Count("items", filter=mine, distinct=True),
        n_closed=Count("items", filter=mine & Q(items__case__state=State.CLOSED), distinct=True),
        n_overdue=Count("items", filter=mine & overdue, distinct=True),
    )
