"""The web UI's views: thin, as everywhere in Huiyin. They read through the permission-scoped
helpers, build forms from the payload models, call one action and render its outcome."""

from datetime import date
from functools import partial
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from api.idempotency import FORM_FIELD, Replay, clean_key, once, was_used
from attachments.queries import CaseRows, attachment_context
from audit.record import today
from cases import actions
from cases.actions.register import check_registrar
from cases.dispatch import available_actions, check_actor, perform
from cases.models import Case, Mode
from cases.payloads import RegisterPayload
from cases.permissions import relations
from cases.queries import case_for_user
from huiyin.errors import DomainError
from huiyin.types import AuthedRequest
from proposals.cards import preview_for
from web.action_cards import ActionCard, CardInput, action_form, build_card
from web.case_page import action_cards, case_facts, load_links
from web.errors import web_error
from web.forms import PayloadForm
from web.panels import shown_panels
from web.resubmit import ALREADY_DONE, SEEN_FIELD, new_form_key, seen_event_id, stale_notice
from workflow.engine import transition_for
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import workflow_for
from workflow.vocabulary import Action


def _render_case(
    request: AuthedRequest, case: Case, bound: ActionCard | None = None, status: int = 200
) -> HttpResponse:
    on = today()
    load_links(case)
    facts = case_facts(case, on)
    cards = action_cards(
        request.user, case, on, proposers=facts["proposers"], topics=facts["topics"], bound=bound
    )
    # The user's relations from the assignments read above, and those rows: the attachments
    # section reads only the files.
    assignments = facts["assignments"]
    mine = relations(request.user, case, live_assignments=assignments)
    rows = CaseRows(
        replies=list(case.replies.all()),
        communications=facts["communications"],
        assignments=assignments,
    )
    page = workflow_for(case.category).page
    context = {
        **facts,
        **attachment_context(request.user, case, mine, rows),
        # A category's own facts (a public opinion's channel, person, answer).
        "own_page": page,
        "own": page.context(case, request.user) if page and page.context else {},
        # The supervision items it was put under (列入督办), linked both ways.
        "supervisions": list(cast(Any, case).supervisions.all()),
        "list_items": list(cast(Any, case).list_items.all()),
        "cards": cards,
        # Other apps' parts of the page (web/panels.py): the proposer's link, disclosure …
        "panels": shown_panels(case, request.user, mine),
        # The hidden fields of every action form (web/resubmit.py).
        "form_key": new_form_key,
        "seen_event": facts["latest_event_id"],
        # The card shown open, the one action_cards built whole: the refused one, else the
        # step that moves the case on (web.case_page.open_card).
        "bound_action": next((c.action for c in cards if not c.deferred), ""),
    }
    return render(request, "web/case_detail.html", context, status=status)


@login_required
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _render_case(request, case_for_user(request.user, pk))


@login_required
@require_POST
def case_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    case = case_for_user(request.user, pk)
    try:
        # A role that may never do this gets 403 before its input is even looked at.
        spec = check_actor(request.user, case, action)
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except CaseError:
        raise Http404("没有这项操作") from None
    key = clean_key(request.POST.get(FORM_FIELD), strict=False)
    if key is not None and was_used(request.user, key):  # the same form again: a double click
        messages.info(request, ALREADY_DONE)
        return redirect("case-detail", pk=case.pk)
    stale = stale_notice(case, request.POST.get(SEEN_FIELD))
    if stale and action not in available_actions(request.user, case, today()):
        messages.warning(request, stale)  # the old form is not shown again
        return redirect("case-detail", pk=case.pk)
    # Validation builds the form only; the card around it is built if the page is shown.
    inp = CardInput(case, request.user, today(), data=request.POST)
    form = action_form(spec, inp)
    payload = form.validate()
    status = 400
    if payload is not None:
        try:
            done = once(
                user=request.user,
                key=key,
                action=action,
                case=case,
                work=partial(perform, case, action, by=request.user, payload=payload),
            )
        except DomainError as exc:
            if stale:
                messages.warning(request, stale)
                return redirect("case-detail", pk=case.pk)
            status = web_error(exc, form=form)
        else:
            if isinstance(done, Replay):  # the same form, posted meanwhile
                messages.info(request, ALREADY_DONE)
                return redirect("case-detail", pk=case.pk)
            messages.success(request, spec.success_message(done))
            return redirect("case-detail", pk=case.pk)
    # The action refused: show the page as it is now, with the user's input and the reason.
    card = build_card(action, inp)
    return _render_case(request, case_for_user(request.user, pk), card, status=status)


@login_required
@require_GET
def case_action_card(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """One action card's form, fetched when the user opens a closed card on the case page
    (htmx, web/templates/web/case_detail.html): built by `build_card` from the case as it
    is now, as the page builds its open card. ?seen=<event id>: the last event the page
    showed, kept in the form so that a post after someone else's step is told about it."""
    case = case_for_user(request.user, pk)
    if action not in workflow_for(case.category).transitions:
        raise Http404("没有这项操作")
    on = today()
    load_links(case)
    facts = case_facts(case, on)
    seen = seen_event_id((request.GET.get("seen") or "").strip())
    card = None
    if action in available_actions(request.user, case, on):
        inp = CardInput(
            case, request.user, on, known_proposers=facts["proposers"], known_topics=facts["topics"]
        )
        card = build_card(action, inp)
    context = {
        **facts,
        "card": card,
        "form_key": new_form_key,
        "seen_event": facts["latest_event_id"] if seen is None else seen,
    }
    return render(request, "web/actions/_card_body.html", context)


def _date_param(request: AuthedRequest, name: str) -> date | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CaseError("日期格式应为 年-月-日", field=name) from None


@login_required
@require_GET
def deadline_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The deadlines the assign form would set, for its live preview (an htmx fragment):
    ?assigned_on=YYYY-MM-DD&deadline=YYYY-MM-DD, both optional."""
    case = case_for_user(request.user, pk)
    try:
        check_actor(request.user, case, Action.ASSIGN)
    except ActionForbidden:
        raise PermissionDenied("只有议提案管理员可以交办办件") from None
    except CaseError:
        raise Http404("没有这项操作") from None
    try:
        transition_for(case, Action.ASSIGN)
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
def case_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case and its history on A4, for the file (归档) or a meeting."""
    case = case_for_user(request.user, pk)
    return render(request, "web/case_print.html", case_facts(case, today()))


@login_required
def case_register(request: AuthedRequest) -> HttpResponse:
    try:
        check_registrar(request.user)  # the same check as the API's and the action's
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
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
