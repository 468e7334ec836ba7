"""The proposer's side in the demo (issue 15): a suggestion of last year answered B-class
whose promises are still followed up (回头看: one kept, one partly kept, one overdue), its
reply disclosed with personal data masked, a proposal of this year merged into a similar
one (并案), and a link for one proposer whose reply waits for their rating.

Every row is written through the actions, as a user would write it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from cases import actions
from cases.models import Case, CommitmentStatus
from disclosure.actions import disclose
from huiyin.types import User
from orgs.models import Unit
from portal.actions import issue_link
from portal.links import link_path
from similar.merging import merge_case
from workflow.vocabulary import State

GATES = {"format": True, "policy": True, "content": True, "resolution": True}
REPLY = (
    "您提出的《关于加快社区医院建设的建议》收悉。经认真研究，现答复如下：\n"
    "一、我委已将社区医院建设纳入年度重点工作，全年新建社区医院5家。\n"
    "二、针对您反映的东城区幸福路88号3栋居民就医不便问题，已协调区卫健局增设巡诊点。"
    "居民张建华反映的慢病配药问题已于当月解决，联系电话13812345678。\n"
    "三、下一步，我委将争取市财政支持，明年再建设社区医院3家，并完善家庭医生签约服务。\n"
    "联系人：王晓梅，电话0571-87000000。"
)
PROMISES = (
    ("年内新建社区医院5家", 60, CommitmentStatus.FULFILLED, ""),
    ("完善家庭医生签约服务包", 90, CommitmentStatus.PARTIAL, "医保支付政策尚待市医保局出台"),
    ("明年再建设社区医院3家", 300, None, ""),
)


TALENT_REPLY = (
    "您提出的《关于加强基层卫生人才队伍建设的建议》收悉。经认真研究，现答复如下：\n"
    "一、实施基层卫生人才定向培养，今年招收农村订单定向医学生120名。\n"
    "二、落实基层卫生人员职称评审倾斜政策，县以下单位高级职称单独评审。\n"
    "三、推行“县管乡用”，由县级医院统一招聘、派驻乡镇卫生院。"
)


def _walk_to_closed(
    case: Case,
    units: dict[str, Unit],
    people: dict[str, User],
    start: date,
    *,
    text: str = REPLY,
    reply_class: str = "B",
) -> None:
    coordinator, leader, head = people["coordinator"], people["leader"], people["jiceng"]
    actions.assign_case(
        case,
        by=coordinator,
        lead_unit=units["jiceng"],
        co_units=[],
        assigned_on=start + timedelta(days=2),
        leader_in_charge=leader,
    )
    actions.accept_case(case, by=head, on=start + timedelta(days=4))
    actions.communicate(
        case,
        by=head,
        stage="before",
        method="face_to_face",
        summary="上门听取代表对社区医院布局的意见",
        participants="处室负责人、承办人",
        on=start + timedelta(days=10),
    )
    actions.submit_reply(
        case,
        by=head,
        text=text,
        reply_class=reply_class,
        contact="刘洋",
        phone="0571-87000001",
        commitments=[
            {"what": what, "due": start + timedelta(days=days)} for what, days, *_ in PROMISES
        ]
        if reply_class == "B"
        else [],
        on=start + timedelta(days=30),
    )
    actions.review_reply(
        case, by=coordinator, passed=True, gates=GATES, on=start + timedelta(days=32)
    )
    actions.sign_reply(case, by=leader, approved=True, on=start + timedelta(days=33))
    if reply_class == "B":
        # 公开: published at once, the resident's name, phone and house number masked.
        disclose(case, by=coordinator, mode="full", on=start + timedelta(days=34))
    actions.record_feedback(
        case,
        by=coordinator,
        result="basically_satisfied",
        attitude="satisfied",
        comment="希望明年的社区医院尽快落地",
        on=start + timedelta(days=45),
    )


def _last_year_case(
    coordinator: User, start: date, seq: int, title: str, content: str, joint: Any = ()
) -> Case:
    """A suggestion of 陈志远's at last year's session (基层卫生)."""
    return actions.register_case(
        by=coordinator,
        category="npc_suggestion",
        level="municipal",
        year=start.year,
        session="市十五届人大四次会议",
        issuer="市人大常委会代表工委",
        number=f"{start.year}{100 + seq:04d}",
        title=title,
        content=content,
        lead_proposer="陈志远",
        joint_proposers=list(joint),
        mode="lead",
        external_lead="",
        topics=["基层卫生"],
        received_on=start,
    )


def load_proposer_side_demo(
    units: dict[str, Unit], people: dict[str, User], now: date, made: list[Case]
) -> dict[str, Any]:
    coordinator = people["coordinator"]
    start = now - timedelta(days=420)
    last_year = _last_year_case(
        coordinator,
        start,
        1,
        "关于加快社区医院建设的建议",
        "社区医院数量不足，居民就近看病难。建议加快社区医院建设，完善家庭医生服务。",
        joint=["林晓红"],
    )
    _walk_to_closed(last_year, units, people, start)
    # An earlier answer like a suggestion of this year: shown while the unit drafts.
    talent = _last_year_case(
        coordinator,
        start,
        2,
        "关于加强基层卫生人才队伍建设的建议",
        "基层医疗卫生机构人才引不进、留不住。建议加强基层卫生人才队伍建设。",
    )
    _walk_to_closed(talent, units, people, start, text=TALENT_REPLY, reply_class="A")
    head = people["jiceng"]
    promises = list(last_year.commitments.order_by("due", "id"))
    for promise, (_, days, status, reason) in zip(promises, PROMISES, strict=True):
        if status is None:
            continue  # still open, and overdue: the 回头看 list and the reminders show it
        actions.update_commitment(
            last_year,
            by=head,
            commitment_id=promise.pk,
            status=status,
            note="已组织落实" if status == CommitmentStatus.FULFILLED else "部分落实",
            reason=reason,
            on=start + timedelta(days=days),
        )
    # 并案: a proposal of this year like one still waiting to be assigned.
    lead = next((c for c in made if c.state == State.REGISTERED and c.role == "lead"), None)
    merged = 0
    if lead is not None:
        like = actions.register_case(
            by=coordinator,
            category=lead.category,
            level=lead.level,
            year=lead.year,
            session=lead.session,
            issuer=lead.issuer,
            number=f"{now.year}0901",
            title=lead.title.replace("关于", "关于进一步", 1),
            content=lead.content,
            lead_proposer="周立群",
            joint_proposers=[],
            mode="lead",
            external_lead="",
            topics=[t.name for t in lead.topics.all()],
            received_on=lead.received_on,
        )
        merge_case(like, by=coordinator, lead_case_id=lead.pk, reason="内容相近，并案办理")
        merged = 1
    # A link for a proposer whose reply waits for their rating.
    replied = next((c for c in made if c.state == State.REPLIED and c.proposers.exists()), None)
    path = ""
    if replied is not None:
        _, token = issue_link(replied, by=coordinator)
        path = link_path(token)
    return {"promises": len(promises), "merged": merged, "link": path}
