"""The web UI's views: thin, as everywhere in Huiyin. They read through the permission-scoped
helpers, build forms from the payload models, call one action and render its outcome."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.record import today
from cases import actions
from cases.dispatch import ACTIONS, available_actions, perform
from cases.listing import COUNT_LIMIT, CaseFilter, is_overdue, list_cases
from cases.models import Case, Category, Level, Mode, ReplyClass
from cases.models import Role as CaseRole
from cases.payloads import RegisterPayload
from cases.permissions import relations
from cases.queries import case_for_user
from orgs.access import standing_of
from orgs.models import Role, Unit
from web.forms import ChoiceSource, PayloadForm, user_label
from web.timeline import GATE_LABELS, timeline
from workflow.errors import ActionForbidden, CaseError
from workflow.proposals import PROPOSAL_STATES
from workflow.tables import workflow_for

REVIEW_STEP_LABELS = {"approve_reply": "处室审核", "review": "审核", "sign": "签发"}
# Before the draft goes to review, the unit's own target date is the one that matters.
UNIT_DEADLINE_STATES = ("assigned", "handling")
FILTER_KEYS = ("category", "level", "year", "state", "unit", "overdue", "q")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _is_coordinator(user: Any) -> bool:
    return standing_of(user).has(Role.COORDINATOR)


def page_links(page: int, pages: int, around: int = 2) -> list[int]:
    """Page numbers to link, 0 where some are left out: 1 0 4 5 6 7 8 0 20."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    links: list[int] = []
    for n in shown:
        if links and n > links[-1] + 1:
            links.append(0)
        links.append(n)
    return links


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("case-list")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    case_filter = CaseFilter.from_params(request.GET)
    page = list_cases(request.user, case_filter, _page_number(request.GET.get("page")))
    return render(
        request,
        "web/case_list.html",
        {
            "page": page,
            "page_range": page_links(page.page, page.pages),
            "filtered": any(request.GET.get(k) for k in FILTER_KEYS),
            "count_limit": COUNT_LIMIT,
            "today": today(),
            "categories": Category.choices,
            "levels": Level.choices,
            "states": list(PROPOSAL_STATES.items()),
            "units": Unit.objects.filter(is_active=True).only("code", "name"),
            "can_register": _is_coordinator(request.user),
        },
    )


@dataclass
class ActionCard:
    action: str
    label: str
    form: PayloadForm
    danger: bool = False


DANGER_ACTIONS = {"withdraw", "return", "reopen"}


def _card_order(workflow: Any, action: str) -> tuple[int, int]:
    """The step that moves the case on first, then the recording ones, edit, and the
    actions that take it back or away last; the workflow table's order within each."""
    if action in DANGER_ACTIONS:
        group = 3
    elif action == "edit":
        group = 2
    elif workflow.transitions[action].targets:
        group = 0
    else:
        group = 1
    return group, list(workflow.transitions).index(action)


def _edit_initial(case: Case, proposers: list[Any], topics: list[Any]) -> dict[str, Any]:
    return {
        "level": case.level,
        "issuer": case.issuer,
        "year": case.year,
        "session": case.session,
        "number": case.number,
        "title": case.title,
        "content": case.content,
        "mode": case.mode,
        "external_lead": case.external_lead,
        "topics": [t.name for t in topics],
        "led_by": case.led_by,
        "is_key": case.is_key,
        "lead_proposer": proposers[0].proposer.name if proposers else "",
        "joint_proposers": [link.proposer.name for link in proposers[1:]],
        "received_on": case.received_on,
        "leader_in_charge": case.leader_in_charge.username if case.leader_in_charge else None,
        "explicit_deadline": case.explicit_deadline,
    }


def _action_form(
    action: str,
    case: Case,
    user: Any,
    source: ChoiceSource,
    edit_initial: dict[str, Any],
    data: Any = None,
) -> PayloadForm:
    initial: dict[str, Any] = {}
    hidden: set[str] = set()
    required: set[str] = set()
    if action == "edit":
        initial = edit_initial
    elif action == "assign" and case.leader_in_charge:
        initial = {"leader_in_charge": case.leader_in_charge.username}
    elif action == "submit_reply":
        initial = {"contact": user_label(user)}
        if case.role == CaseRole.CO:
            hidden = {"reply_class", "commitments"}  # a 会办 opinion has neither
        else:
            required = {"reply_class"}
    return PayloadForm(
        ACTIONS[action].payload,
        action=action,
        label=workflow_for(case.category).transitions[action].label,
        source=source,
        data=data,
        initial=initial,
        only_changed=action == "edit",
        hidden=hidden,
        required=required,
    )


def _case_context(request: HttpRequest, case: Case, bound: PayloadForm | None = None) -> dict:
    on = today()
    workflow = workflow_for(case.category)
    proposers = list(case.proposer_links.select_related("proposer").order_by("position"))
    topics = list(case.topics.all())
    replies = list(case.replies.all())
    for reply in replies:
        reply.review_steps = [
            {
                "label": REVIEW_STEP_LABELS.get(step, step),
                "approved": info.get("approved"),
                "comment": info.get("comment", ""),
                "failed_gates": [
                    GATE_LABELS.get(g, g) for g, ok in (info.get("gates") or {}).items() if not ok
                ],
            }
            for step, info in (reply.review or {}).items()
            if isinstance(info, dict)
        ]
    source = ChoiceSource(case)
    edit_initial = _edit_initial(case, proposers, topics)
    cards = []
    names = sorted(
        available_actions(request.user, case, on), key=lambda n: _card_order(workflow, n)
    )
    if bound is not None and bound.action not in names:
        names = [bound.action, *names]
    for name in names:
        form = (
            bound
            if bound is not None and bound.action == name
            else _action_form(name, case, request.user, source, edit_initial)
        )
        cards.append(ActionCard(name, form.label, form, danger=name in DANGER_ACTIONS))
    return {
        "case": case,
        "workflow": workflow,
        "state_label": workflow.state_label(case.state),
        "today": on,
        "overdue": is_overdue(case, on),
        "unit_overdue": case.state in UNIT_DEADLINE_STATES
        and case.unit_deadline is not None
        and case.unit_deadline < on,
        "lead_proposer": proposers[0].proposer if proposers else None,
        "joint_proposers": [link.proposer for link in proposers[1:]],
        "topics": topics,
        # The lead unit first, then the co-units in the order they were assigned.
        "assignments": sorted(
            case.assignments.select_related("unit", "handler"),
            key=lambda a: (a.kind != "lead", a.id),
        ),
        "replies": replies,
        "reply_class_label": dict(ReplyClass.choices).get(case.reply_class, ""),
        "communications": list(case.communications.all()),
        "feedbacks": list(case.feedbacks.all()),
        "commitments": list(case.commitments.all()),
        "outcomes": list(case.outcomes.all()),
        "extension_requests": list(case.extension_requests.all()),
        "timeline": timeline(case.events.select_related("actor").order_by("id"), workflow),
        "cards": cards,
        "bound_action": bound.action if bound is not None else "",
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    return render(request, "web/case_detail.html", _case_context(request, case))


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
    source = ChoiceSource(case)
    proposers = list(case.proposer_links.select_related("proposer").order_by("position"))
    edit_initial = _edit_initial(case, proposers, list(case.topics.all()))
    form = _action_form(action, case, request.user, source, edit_initial, data=request.POST)
    payload = form.validate()
    if payload is not None:
        try:
            perform(case, action, by=request.user, payload=payload)
        except ActionForbidden as exc:
            raise PermissionDenied(exc.message) from None
        except CaseError as exc:
            form.add_case_error(exc)
        else:
            messages.success(request, f"已完成：{transition.label}")
            return redirect("case-detail", pk=case.pk)
    # The action refused: show the page as it is now, with the user's input and the reason.
    case = case_for_user(request.user, pk)
    return render(request, "web/case_detail.html", _case_context(request, case, form), status=400)


@login_required
def case_register(request: HttpRequest) -> HttpResponse:
    if not _is_coordinator(request.user):
        raise PermissionDenied("只有议提案管理员可以登记办件")
    form = PayloadForm(
        RegisterPayload,
        action="register",
        label="登记办件",
        data=request.POST if request.method == "POST" else None,
        initial={"year": today().year, "mode": Mode.LEAD},
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
