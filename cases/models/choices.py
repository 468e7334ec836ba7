from django.db import models

from workflow.vocabulary import State


class Category(models.TextChoices):
    NPC_SUGGESTION = "npc_suggestion", "人大代表建议"
    CPPCC_PROPOSAL = "cppcc_proposal", "政协提案"
    PUBLIC_OPINION = "public_opinion", "群众意见建议"
    SUPERVISION = "supervision", "督办事项"
    LIST_ITEM = "list_item", "清单事项"


PROPOSAL_CATEGORIES = (Category.NPC_SUGGESTION, Category.CPPCC_PROPOSAL)


class Level(models.TextChoices):
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"


class Mode(models.TextChoices):
    LEAD = "lead", "主办"
    UNDERTAKE = "undertake", "承办"
    SPLIT = "split", "分办"
    CO = "co", "会办"


class Role(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "会办"


class ProposerKind(models.TextChoices):
    DEPUTY = "deputy", "人大代表"
    MEMBER = "member", "政协委员"
    PARTY = "party", "党派"
    SECTOR = "sector", "界别"
    COMMITTEE = "committee", "专委会"
    OTHER = "other", "其他"


class AssignmentKind(models.TextChoices):
    LEAD = "lead", "主办处室"
    CO = "co", "协办处室"


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", "待签收"
    ACCEPTED = "accepted", "已签收"
    RETURNED = "returned", "已退回"
    CANCELLED = "cancelled", "已撤销"


class CommunicationStage(models.TextChoices):
    BEFORE = "before", "事前"
    DURING = "during", "事中"
    AFTER = "after", "事后"


class CommunicationMethod(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "面商"
    MEETING = "meeting", "座谈"
    SITE_VISIT = "site_visit", "实地调研"
    PHONE = "phone", "电话"
    VIDEO = "video", "视频"
    WECHAT = "wechat", "微信"
    EMAIL = "email", "邮件"
    HOME_VISIT = "home_visit", "上门"


# Methods that count as meeting the proposer in person (DESIGN.md §5).
FACE_TO_FACE_METHODS = ("face_to_face", "meeting", "site_visit", "home_visit")


class ReplyClass(models.TextChoices):
    A = "A", "A类（已解决或基本解决）"
    B = "B", "B类（正在解决或列入计划逐步解决）"
    C = "C", "C类（因条件限制需待以后解决）"
    D = "D", "D类（留作参考）"


CLASSES_NEEDING_COMMITMENTS = ("B", "C")


class ReplyStatus(models.TextChoices):
    # A draft on its way is where the case is: the same names as those states.
    UNIT_APPROVING = State.UNIT_APPROVING.value, State.UNIT_APPROVING.label
    REVIEWING = State.REVIEWING.value, State.REVIEWING.label
    SIGNING = State.SIGNING.value, State.SIGNING.label
    SIGNED = "signed", "已签发"
    SENT_BACK = "sent_back", "已退回修改"


class FeedbackRating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class CommitmentStatus(models.TextChoices):
    """A promise's progress, and after it, its fulfilment (回头看: 兑现 / 部分兑现 / 未兑现,
    the last two with a reason). 已取消 is history: a promise recorded so before issue 15;
    update_commitment neither sets it nor changes a cancelled promise."""

    OPEN = "open", "未开始"
    IN_PROGRESS = "in_progress", "推进中"
    FULFILLED = "fulfilled", "已兑现"
    PARTIAL = "partial", "部分兑现"
    UNFULFILLED = "unfulfilled", "未兑现"
    CANCELLED = "cancelled", "已取消"


class OutcomeKind(models.TextChoices):
    POLICY = "policy", "政策文件"
    PLAN = "plan", "规划计划"
    PROJECT = "project", "项目"
    SYSTEM = "system", "制度机制"
