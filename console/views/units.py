"""The console's start page and the units (a tree: 处室, 县区卫健局, 直属单位, 外部单位)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.record import today
from cases.models import DeadlineRuleSetting
from console.forms import UnitCreateForm, UnitForm, UnitMoveForm, unit_tree
from console.views.common import add_error, admin_required, console_required, is_admin
from huiyin.types import AuthedRequest
from orgs import actions
from orgs.actions import OrgError, OrgForbidden
from orgs.models import Membership, Unit, UnitKind
from workdays.calendar import is_confirmed
from workflow.tables import states_in


@console_required
def index(request: AuthedRequest) -> HttpResponse:
    """The start page of each administrator's part (三权分立): figures only for the
    系统管理员, links to their pages for the 安全管理员 and the 审计管理员."""
    context: dict[str, Any] = {}
    if is_admin(request.user):
        year = today().year
        context = {
            "units": Unit.objects.filter(is_active=True).count(),
            "users": get_user_model().objects.filter(is_active=True).count(),
            "rules": DeadlineRuleSetting.objects.count(),
            "years": [{"year": y, "confirmed": is_confirmed(y)} for y in (year, year + 1)],
        }
    return render(request, "console/index.html", context)


@admin_required
def unit_list(request: AuthedRequest) -> HttpResponse:
    units = Unit.objects.select_related("parent").annotate(
        people=Count("memberships__user", distinct=True)
    )
    kind = request.GET.get("kind", "")
    everything = unit_tree(units)
    # Filtered by kind, the tree is broken up: a flat list, each with its parent named.
    tree = (
        [(u, 0) for u, _ in everything if u.kind == kind] if kind in UnitKind.values else everything
    )
    return render(
        request,
        "console/units.html",
        {
            "tree": tree,
            "kinds": UnitKind.choices,
            "kind": kind if kind in UnitKind.values else "",
            "counts": {k: sum(1 for u, _ in everything if u.kind == k) for k in UnitKind.values},
            "total": len(everything),
        },
    )


@admin_required
def unit_create(request: AuthedRequest) -> HttpResponse:
    initial = {"parent": request.GET.get("parent", ""), "kind": UnitKind.DEPARTMENT}
    form = UnitCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = actions.create_unit(
                by=request.user,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
                sort_order=data["sort_order"],
            )
        except OrgError as exc:
            add_error(form, exc)
        else:
            messages.success(request, f"已创建单位：{unit.name}")
            return redirect("console:units")
    status = 400 if request.method == "POST" else 200
    return render(request, "console/unit_create.html", {"form": form}, status=status)


def _unit_page(
    request: AuthedRequest,
    unit: Unit,
    form: UnitForm | None = None,
    move_form: UnitMoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    form = form or UnitForm(
        initial={"name": unit.name, "kind": unit.kind, "sort_order": unit.sort_order}
    )
    move_form = move_form or UnitMoveForm(unit=unit, initial={"parent": unit.parent_id or ""})
    memberships = (
        Membership.objects.filter(unit=unit)
        .select_related("user")
        .order_by("role", "user__username")
    )
    return render(
        request,
        "console/unit_edit.html",
        {
            "unit": unit,
            "form": form,
            "move_form": move_form,
            "memberships": memberships,
            "children": unit.children.order_by("sort_order", "code"),
            "live_assignments": unit.assignments.filter(status__in=["pending", "accepted"])
            .exclude(case__state__in=states_in("final"))
            .count(),
        },
        status=status,
    )


@admin_required
def unit_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    if request.method != "POST":
        return _unit_page(request, unit)
    form = UnitForm(request.POST)
    if form.is_valid():
        try:
            actions.update_unit(unit, by=request.user, **form.cleaned_data)
        except OrgForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except OrgError as exc:
            add_error(form, exc)
        else:
            messages.success(request, f"已保存：{form.cleaned_data['name']}")
            return redirect("console:unit-edit", pk=unit.pk)
    return _unit_page(request, unit, form=form, status=400)


@admin_required
@require_POST
def unit_move(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    form = UnitMoveForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            actions.move_unit(unit, by=request.user, parent=form.cleaned_data["parent"])
        except OrgForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except OrgError as exc:
            add_error(form, exc)
        else:
            messages.success(request, f"已调整{unit.name}的上级单位")
            return redirect("console:unit-edit", pk=unit.pk)
    return _unit_page(request, unit, move_form=form, status=400)


@admin_required
@require_POST
def unit_active(request: AuthedRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("parent"), pk=pk)
    activate = request.POST.get("active") == "1"
    try:
        if activate:
            actions.activate_unit(unit, by=request.user)
        else:
            actions.deactivate_unit(unit, by=request.user)
    except OrgForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except OrgError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if activate else '停用'}：{unit.name}")
    return redirect("console:unit-edit", pk=unit.pk)
