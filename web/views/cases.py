"""The web UI's views: thin, as everywhere in Huiyin. They read through the permission-scoped
helpers, build forms from the payload models, call one action and render its outcome."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from attachments.queries import attachment_context
from audit.record import today
from cases import actions
from cases.dispatch import ACTIONS, perform
from cases.models import Case, Mode
from cases.payloads import RegisterPayload
from cases.permissions import relations
from cases.queries import case_for_user
from orgs.access import standing_of
from orgs.models import Role
from web.action_cards import ActionCard, preview_for
from web.case_page import action_card, action_cards, case_facts
from web.forms import PayloadForm
from workflow.engine import transition_for
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import workflow_for


def _is_coordinator(user: Any) -> bool:
    return standing_of(user).has(Role.COORDINATOR)


def _render_case(
    request: HttpRequest, case: Case, bound: ActionCard | None = None, status: int = 200
) -> HttpResponse:
    on = today()
    facts = case_facts(case, on)
    cards = action_cards(
        request.user, case, on, proposers=facts["proposers"], topics=facts["topics"], bound=bound
    )
    context = {
        **facts,
        **attachment_context(request.user, case),
        "cards": cards,
        "bound_action": bound.action if bound else "",
    }
    return render(request, "web/case_detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, case_for_user(request.user, pk))


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = case_for_user(request.user, pk)
    transition = workflow_for(case.category).transitions.get(action)
    if action not in ACTIONS or transition is None:
        raise Http404("没有这项操作")
    # A role that may never do this gets 403 before its input is even looked at.
    if not relations(request.user, case) & transition.actors:
        raise PermissionDenied(f"您没有{transition.label}此办件的权限")
    card = action_card(action, case, request.user, today(), data=request.POST)
    payload = card.form.validate()
    if payload is not None:
        try:
            perform(case, action, by=request.user, payload=payload)
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except CaseError as exc:
            card.form.add_case_error(exc)
        else:
            messages.success(request, f"已完成：{transition.label}")
            return redirect("case-detail", pk=case.pk)
    # The action refused: show the page as it is now, with the user's input and the reason.
    return _render_case(request, case_for_user(request.user, pk), card, status=400)


def _date_param(request: HttpRequest, name: str) -> date | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CaseError("日期格式应为 年-月-日", field=name) from None


@login_required
@require_GET
def deadline_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The deadlines the assign form would set, for its live preview (an htmx fragment):
    ?assigned_on=YYYY-MM-DD&deadline=YYYY-MM-DD, both optional."""
    case = case_for_user(request.user, pk)
    transition = workflow_for(case.category).transitions.get("assign")
    if transition is None or not relations(request.user, case) & transition.actors:
        raise PermissionDenied("只有议提案管理员可以交办办件")
    try:
        transition_for(case, "assign")
        preview = preview_for(
            case, _date_param(request, "assigned_on"), _date_param(request, "deadline")
        )
    except CaseError as exc:
        preview = {"rows": [], "assigned_on": None, "error": exc.message, "provisional": False}
    return render(
        request,
        "web/actions/_deadline_preview.html",
        {"preview": preview},
        status=400 if preview["error"] else 200,
    )


@login_required
@require_GET
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The case and its history on A4, for the file (归档) or a meeting."""
    case = case_for_user(request.user, pk)
    return render(request, "web/case_print.html", case_facts(case, today()))


@login_required
def case_register(request: HttpRequest) -> HttpResponse:
    if not _is_coordinator(request.user):
        raise PermissionDenied("只有议提案管理员可以登记办件")
    form = PayloadForm(
        RegisterPayload,
        action="register",
        label="登记办件",
        data=request.POST if request.method == "POST" else None,
        initial={"year": today().year, "mode": Mode.LEAD, "received_on": today()},
    )
    status = 200
    if request.method == "POST":
        payload = form.validate()
        if payload is not None:
            fields = payload.model_dump(exclude={"deadline"})
            try:
                case = actions.register_case(
                    by=request.user, explicit_deadline=payload.deadline, **fields
                )
            except ActionForbidden as exc:
                raise PermissionDenied(exc.message) from None
            except CaseError as exc:
                form.add_case_error(exc)
            else:
                messages.success(request, f"已完成：登记（{case.number}）")
                return redirect("case-detail", pk=case.pk)
        status = 400
    return render(request, "web/case_register.html", {"form": form}, status=status)
