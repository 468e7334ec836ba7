"""The 议提案 actions of 并案 (并案, 取消并案) and the hidden steps a merged case takes after
its lead case (similar.merging), added to proposals/spec.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from similar import merging
from similar.payloads import MergePayload, UnmergePayload
from workflow.tables import EDITS, TAKES_BACK, ActionSpec, Form, Wording, t
from workflow.vocabulary import Action as A
from workflow.vocabulary import Relation as R
from workflow.vocabulary import State as S

if TYPE_CHECKING:
    from cases.models import Case
    from huiyin.types import User


def _lead(d: dict[str, Any], names: Mapping[str, str]) -> list[tuple[str, str]]:
    """The lead case by its number only: the timeline is read by whoever sees this case,
    who may not see the lead (its title stays in the event's details)."""
    if not d.get("lead_number"):
        return []
    return [("主件", f"第{d['lead_number']}号")]


def _merge(case: Case, by: User, p: MergePayload) -> Any:
    return merging.merge_case(case, by=by, on=p.on, lead_case_id=p.lead_case_id, reason=p.reason)


def _unmerge(case: Case, by: User, p: UnmergePayload) -> Any:
    return merging.unmerge_case(case, by=by, on=p.on, reason=p.reason)


def _merged(case: Case) -> str:
    lead = case.merged_into
    number = lead.number if lead is not None else ""
    return f"已并入第{number}号办理：随主件交办、签收和答复，各自答复、各自评价"


def proposal_actions() -> list[ActionSpec]:
    from similar.cards import merge_context, merge_options

    return [
        t(
            A.MERGE,
            "并案",
            merging.MERGEABLE,
            [],
            [R.COORDINATOR],
            payload=MergePayload,
            run=_merge,
            available=merging.may_merge,
            form=Form(
                group=EDITS,
                on_label="并案日期",
                options={"lead_case_id": merge_options},
                labels={
                    "lead_case_id": (
                        "主件",
                        "列出与本件最相似、尚未答复的议提案；本件随主件办理。"
                        "列表为空：没有相似的未答复办件（已答复的不能作主件）",
                    )
                },
                context=merge_context,
            ),
            wording=Wording(head=_lead),
            success=_merged,
        ),
        t(
            A.UNMERGE,
            "取消并案",
            merging.FOLLOWING,
            [],
            [R.COORDINATOR],
            payload=UnmergePayload,
            run=_unmerge,
            available=merging.may_unmerge,
            form=Form(
                group=TAKES_BACK,
                danger=True,
                on_label="取消日期",
                warning="取消并案后，本件由其主办处室单独办理、单独答复。",
            ),
            wording=Wording(head=_lead),
            success=lambda case: "已取消并案，本件单独办理",
        ),
        # A merged case's steps after its lead: hidden, taken only by similar.merging.
        t(
            merging.Follow.ASSIGN,
            str(merging.Follow.ASSIGN.label),
            [S.REGISTERED],
            [S.ASSIGNED],
            [R.COORDINATOR],
            hidden=True,
            wording=Wording(head=_lead),
        ),
        t(
            merging.Follow.ACCEPT,
            str(merging.Follow.ACCEPT.label),
            [S.ASSIGNED],
            [S.HANDLING],
            [R.LEAD_UNIT],
            hidden=True,
            wording=Wording(head=_lead),
        ),
        t(
            merging.Follow.RETURN,
            str(merging.Follow.RETURN.label),
            [S.ASSIGNED],
            [S.REGISTERED],
            [R.LEAD_UNIT],
            hidden=True,
            wording=Wording(head=_lead),
        ),
        t(
            merging.Follow.SIGN,
            str(merging.Follow.SIGN.label),
            [S.HANDLING],
            [S.REPLIED, S.CLOSED],
            [R.LEADER],
            hidden=True,
            wording=Wording(head=_lead),
        ),
    ]
