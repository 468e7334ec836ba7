"""Who sees which lists, and who reviews an item's 销号.

The office, leaders and viewers (the commission's roles) see every list; a unit sees the
lists in which it holds an item (lead or co-unit, or the owner of a measure: a co-unit
assignment of the item), and the owner and delegates see theirs. An invisible list is a
404, as an invisible case is."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cases.models import Case, CaseUnit
from cases.models.choices import Category
from huiyin.types import User
from lists.models import RectList
from orgs.access import standing_of
from orgs.models import Role
from workflow.vocabulary import Relation


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


def item_relations(user: User, case: Case) -> set[str]:
    """The workflow's own relation: 销号审核人 (the list's owner or a delegate)."""
    if not user.is_authenticated:
        return set()
    reviewer = RectList.objects.filter(items__case_id=case.pk).filter(
        Q(owner=user) | Q(delegates=user)
    )
    return {Relation.REVIEWER} if reviewer.exists() else set()
