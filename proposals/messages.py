"""What the user is told after each 议提案 action: what happened and what comes next
("已交办给医政医管处，答复期限2026年6月22日"). Named in spec.py (`success=`); each reads
the case as the action left it."""

from cases.actions.handler import current_handler, person
from cases.models import Case, ExtensionRequest, FeedbackRating
from cases.models import Role as CaseRole
from huiyin.formats import cn_date
from workflow.vocabulary import State as S


def _deadline(case: Case) -> str:
    if case.deadline is None:
        return ""
    word = "会办意见期限" if case.role == CaseRole.CO else "答复期限"
    provisional = "（暂定）" if case.deadline_provisional else ""
    return f"{word}{cn_date(case.deadline)}{provisional}"


def _unit(case: Case) -> str:
    return case.lead_unit.name if case.lead_unit is not None else "主办处室"


def assigned(case: Case) -> str:
    return f"已交办给{_unit(case)}，{_deadline(case)}；待{_unit(case)}签收"


def accepted(case: Case) -> str:
    handler = current_handler(case)
    who = f"承办人{person(handler)}" if handler is not None else "尚未指定承办人"
    return f"已签收，{who}；{_deadline(case)}"


def handler_assigned(case: Case) -> str:
    return f"已将此件交给{person(current_handler(case))}承办；{_deadline(case)}"


def returned(case: Case) -> str:
    return "已申请退回，办件回到办公室，由办公室重新交办"


def withdrawn(case: Case) -> str:
    return "已撤回，此件不再由我委办理，不计入统计"


def edited(case: Case) -> str:
    return "已保存修改"


def communicated(case: Case) -> str:
    return "已登记沟通情况"


def opinion_given(case: Case) -> str:
    return f"已提交会办意见，供{_unit(case)}答复时参考"


def extension_requested(case: Case) -> str:
    return "已申请延期，待委领导审批；审批前仍按原答复期限办理"


def extension_decided(case: Case) -> str:
    last = ExtensionRequest.objects.filter(case=case).order_by("-id").first()
    if last is not None and last.approved:
        return f"已同意延期，新的{_deadline(case)}"
    return f"已不同意延期，仍按{_deadline(case)}办理"


def reply_submitted(case: Case) -> str:
    if case.state == S.UNIT_APPROVING:
        return "答复已提交，待处室负责人审核"
    return "答复已提交，待办公室审核（四关审核）"


def reply_approved(case: Case) -> str:
    if case.state == S.REVIEWING:
        return "已同意，答复已报办公室审核"
    return "已退回承办人修改"


def reviewed(case: Case) -> str:
    if case.state == S.SIGNING:
        return "审核通过，待委领导签发"
    return f"审核未通过，已退回{_unit(case)}修改"


def signed(case: Case) -> str:
    if case.state == S.REPLIED:
        return f"已签发，答复日期{cn_date(case.replied_on)}；请在征询意见期内登记代表委员的评价"
    if case.state == S.CLOSED:
        return "已签发，会办意见已答复，办件办结"
    return f"不同意签发，已退回{_unit(case)}修改"


def feedback_recorded(case: Case) -> str:
    rating = FeedbackRating(case.feedback_result).label if case.feedback_result else ""
    if case.state == S.HANDLING:
        return f"已登记评价（{rating}），办件重新办理：第{case.round}轮，新的{_deadline(case)}"
    return f"已登记评价（{rating}），办件办结"


def closed(case: Case) -> str:
    return "已办结；承诺事项可继续跟踪落实"


def reopened(case: Case) -> str:
    return f"已重新办理：第{case.round}轮，新的{_deadline(case)}"


def outcome_added(case: Case) -> str:
    return "已登记成果转化"


def commitment_updated(case: Case) -> str:
    return "已更新承诺事项的落实情况"


def urged(case: Case) -> str:
    notice = case.urge_notices.order_by("-id").first()
    if notice is None:
        return "已催办"
    names = "、".join(str(r.get("name", "")) for r in notice.recipients)
    target = f"，处室初稿期限改为{cn_date(notice.target_on)}" if notice.target_on else ""
    return f"已发出催办通知（{notice.text}），已通知{names}{target}"
