"""From a validated payload to the action of opinions.actions (one adapter per action,
named in spec.py), and the availability checks the case page's cards share with them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cases import actions as case_actions
from cases.dispatch import unit_by_code
from cases.models import Case, Category
from cases.payloads import AcceptPayload, DecisionPayload, EmptyPayload
from opinions import actions
from opinions.payloads import (
    AnswerPayload,
    AreaPayload,
    CallbackPayload,
    FixDonePayload,
    ForwardPayload,
    MergePayload,
    OpinionExtensionPayload,
    OpinionReturnPayload,
)
from workflow.errors import CaseError

if TYPE_CHECKING:
    from huiyin.types import User
else:
    User = Any


def forward(case: Case, by: User, p: ForwardPayload) -> Any:
    return actions.forward(
        case,
        by=by,
        on=p.on,
        lead_unit=unit_by_code(p.lead_unit, "lead_unit"),
        co_units=[u for c in p.co_units if (u := unit_by_code(c, "co_units")) is not None],
    )


def return_(case: Case, by: User, p: OpinionReturnPayload) -> Any:
    return actions.return_opinion(case, by=by, reason=p.reason, on=p.on)


def accept(case: Case, by: User, p: AcceptPayload) -> Any:
    return case_actions.accept_case(case, by=by, on=p.on)


def request_extension(case: Case, by: User, p: OpinionExtensionPayload) -> Any:
    return actions.request_extension(case, by=by, days=p.days, reason=p.reason, on=p.on)


def decide_extension(case: Case, by: User, p: DecisionPayload) -> Any:
    return actions.decide_extension(case, by=by, approved=p.approved, comment=p.comment, on=p.on)


def answer(case: Case, by: User, p: AnswerPayload) -> Any:
    return actions.answer(
        case, by=by, text=p.text, result=p.result, fix=p.fix, fix_due=p.fix_due, on=p.on
    )


def callback(case: Case, by: User, p: CallbackPayload) -> Any:
    return actions.callback(
        case, by=by, reached=p.reached, rating=p.rating, comment=p.comment, on=p.on
    )


def close(case: Case, by: User, p: EmptyPayload) -> Any:
    return actions.close(case, by=by, on=p.on)


def merge(case: Case, by: User, p: MergePayload) -> Any:
    into = Case.objects.filter(pk=p.into, category=Category.PUBLIC_OPINION).first()
    if into is None:
        raise CaseError("没有这条群众意见", field="into")
    return actions.merge(case, by=by, into=into, on=p.on)


def complete_fix(case: Case, by: User, p: FixDonePayload) -> Any:
    return actions.complete_fix(case, by=by, note=p.note, on=p.on)


def set_area(case: Case, by: User, p: AreaPayload) -> Any:
    return actions.set_area(case, by=by, area=p.area, on=p.on)


# Availability: what the case page offers is what the action would accept.


def within_return_window(case: Case, today: date, mine: set[str]) -> bool:
    end = actions.return_window_end(case)
    return end is None or today <= end


def may_request_extension(case: Case, today: date, mine: set[str]) -> bool:
    return actions.can_extend(case)


def has_pending_extension(case: Case, today: date, mine: set[str]) -> bool:
    return case.extension_requests.filter(approved__isnull=True).exists()


def fix_open(case: Case, today: date, mine: set[str]) -> bool:
    return actions.fix_pending(case)
