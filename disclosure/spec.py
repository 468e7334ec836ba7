"""The 议提案 actions of disclosure (公开答复, 撤回公开), added to proposals/spec.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from cases.payloads import ReasonPayload
from disclosure import actions, cards
from disclosure.models import DisclosureMode
from disclosure.payloads import DisclosePayload
from disclosure.queries import live_decision, signed_reply
from web.timeline import choice_label
from workflow.tables import ActionSpec, Form, Wording, t
from workflow.vocabulary import Action as A
from workflow.vocabulary import Relation as R
from workflow.vocabulary import State as S

if TYPE_CHECKING:
    from cases.models import Case
    from huiyin.types import User
else:
    User = Any

Rows = list[tuple[str, str]]


def disclose(case: Case, by: User, p: DisclosePayload) -> Any:
    return actions.disclose(case, by=by, mode=p.mode, summary=p.summary, reason=p.reason, on=p.on)


def withdraw(case: Case, by: User, p: ReasonPayload) -> Any:
    return actions.withdraw_disclosure(case, by=by, reason=p.reason, on=p.on)


def reply_signed(case: Case, today: date, mine: set[str]) -> bool:
    return signed_reply(case) is not None


def published(case: Case, today: date, mine: set[str]) -> bool:
    # No signed reply (the page has read the replies): nothing was ever published.
    if signed_reply(case) is None:
        return False
    found = live_decision(case)
    return found is not None and found.published


def mode_row(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    return [("公开方式", choice_label(DisclosureMode, d["mode"]))] if d.get("mode") else []


def masked_row(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if d.get("mode") in (DisclosureMode.FULL, DisclosureMode.SUMMARY):
        return [("自动遮蔽", f"{d.get('masked_count', 0)}处个人信息")]
    return []


def disclosed(case: Case) -> str:
    found = live_decision(case, fresh=True)
    if found is not None and found.published:
        return f"已{found.get_mode_display()}，公众可在答复公开页面查阅"
    return "已决定不公开"


# A published reply stays published while the case is handled again (round 2 after 不满意
# or 重新办理): it may be withdrawn in every state but before 交办 and once withdrawn.
WITHDRAWABLE = [
    S.ASSIGNED,
    S.HANDLING,
    S.UNIT_APPROVING,
    S.REVIEWING,
    S.SIGNING,
    S.REPLIED,
    S.CLOSED,
]


def proposal_actions() -> list[ActionSpec]:
    answered = [S.REPLIED, S.CLOSED]
    return [
        t(
            A.DISCLOSE,
            "公开答复",
            answered,
            [],
            [R.COORDINATOR],
            payload=DisclosePayload,
            run=disclose,
            available=reply_signed,
            form=Form(
                template="disclosure/actions/disclose.html",
                on_label="决定日期",
                choices={"mode": DisclosureMode},
                labels={
                    "summary": (
                        "公开摘要",
                        "摘要公开时必填；摘要同样自动遮蔽个人信息，公开后在“公开预览”中显示",
                    ),
                    "reason": ("不公开理由", "不公开时必填"),
                },
                initial=cards.disclose_initial,
                context=cards.disclose_context,
            ),
            wording=Wording(head=mode_row, tail=masked_row),
            success=disclosed,
        ),
        t(
            A.WITHDRAW_DISCLOSURE,
            "撤回公开",
            WITHDRAWABLE,
            [],
            [R.COORDINATOR],
            payload=ReasonPayload,
            run=withdraw,
            available=published,
            form=Form(
                template="web/actions/reason.html",
                danger=True,
                on_label="撤回日期",
                labels={"reason": ("撤回理由", "如：答复内容需要更正、涉及个人信息")},
                warning="撤回后，这件答复立即从答复公开页面撤下；需要时可再次公开。",
            ),
            wording=Wording(head=mode_row),
            success=lambda case: "已撤回公开，答复公开页面不再显示此件",
        ),
    ]
