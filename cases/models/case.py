from django.conf import settings
from django.db import models
from django.db.models import F, Q

from cases.models.choices import Category, Level, Mode, ProposerKind, Role
from huiyin.sealed import SealedCharField
from workflow.vocabulary import State

# The states in which a case's reply deadline runs: the workflows' `running` group
# (cases.figures.running_states), spelt out here because an index's condition is part of
# the schema and may not depend on which workflows register at run time.
# cases/tests/test_plans.py checks that the two agree.
RUNNING_STATES = (
    State.REGISTERED,
    State.ASSIGNED,
    State.HANDLING,
    State.UNIT_APPROVING,
    State.REVIEWING,
    State.SIGNING,
)
# A case handled again after 不满意, until it is answered again (proposals.queues).
REHANDLING_STATES = (State.HANDLING, State.UNIT_APPROVING, State.REVIEWING, State.SIGNING)


class Proposer(models.Model):
    """A deputy, a CPPCC member, or a collective (党派、界别、专委会)."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=ProposerKind.choices)
    delegation = models.CharField("代表团/界别", max_length=100, blank=True)
    party = models.CharField("党派", max_length=50, blank=True)
    # SM4 at rest (huiyin.sealed): personal data never in clear in the database.
    phone = SealedCharField("联系电话", plain_max_length=40, blank=True)
    address = SealedCharField("通讯地址", plain_max_length=200, blank=True)

    class Meta:
        verbose_name = "代表委员"
        verbose_name_plural = "代表委员"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="proposer_unique")]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    name = models.CharField("主题", max_length=50, unique=True)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """One matter to handle (办件). State changes only through workflow.engine."""

    category = models.CharField("类别", max_length=30, choices=Category.choices)
    level = models.CharField("级别", max_length=20, choices=Level.choices)
    issuer = models.CharField("交办机关", max_length=100, blank=True, default="")
    year = models.PositiveSmallIntegerField("年度")
    session = models.CharField("届次", max_length=100, blank=True)
    number = models.CharField("编号", max_length=40)
    title = models.CharField("标题", max_length=300)
    content = models.TextField("内容", blank=True)
    mode = models.CharField("办理方式", max_length=20, choices=Mode.choices)
    # 会办 is our co role; 主办/承办/分办 all count as lead (DESIGN.md §1).
    role = models.GeneratedField(
        expression=models.Case(
            models.When(mode=Mode.CO, then=models.Value(Role.CO)),
            default=models.Value(Role.LEAD),
        ),
        output_field=models.CharField(max_length=10, choices=Role.choices),
        db_persist=True,
        verbose_name="我委角色",
    )
    external_lead = models.CharField("主办单位（外部）", max_length=100, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="cases", verbose_name="主题")
    led_by = models.CharField("领办领导", max_length=100, blank=True)
    is_key = models.BooleanField("重点件", default=False)
    leader_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_in_charge",
        verbose_name="分管领导",
    )
    proposers: "models.ManyToManyField[Proposer, CaseProposer]" = models.ManyToManyField(
        Proposer, through="CaseProposer", related_name="cases", verbose_name="提出人"
    )

    state = models.CharField("状态", max_length=30, choices=State.choices)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    received_on = models.DateField("收到日期")
    assigned_on = models.DateField("交办日期", null=True, blank=True)
    # The reply (or 会办 opinion) due date of the current round, and how it was made,
    # so a provisional date can be recomputed when its year's calendar arrives.
    deadline = models.DateField("答复期限", null=True, blank=True)
    deadline_provisional = models.BooleanField("期限暂定", default=False)
    deadline_rule = models.JSONField("期限规则", default=dict, blank=True)
    explicit_deadline = models.DateField("办理期限（交办机关）", null=True, blank=True)
    unit_deadline = models.DateField("处室初稿期限", null=True, blank=True)
    unit_deadline_provisional = models.BooleanField(default=False)
    last_action_on = models.DateField("最近办理日期")

    # Summaries of the current state kept on the row, written by the actions only:
    # lists and statistics over a million cases filter and count on them without joins.
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_cases",
        verbose_name="主办处室",
    )
    reply_class = models.CharField("答复类别", max_length=1, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    feedback_result = models.CharField("评价结果", max_length=30, blank=True)
    # 并案: handled together with this lead case, still answered and counted on its own
    # (similar.merging).
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name="并案主件",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Set by the pages that list cases (cases.figures.deadline_tone); not stored.
    deadline_tone: str

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-year", "category", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "level", "issuer", "year", "number"], name="case_number_unique"
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="case_round_positive"),
        ]
        indexes = [
            models.Index(fields=["year", "category", "level"]),
            models.Index(fields=["state", "deadline"]),
            # One unit's cases in one state, newest first (the ledger's default order).
            models.Index(fields=["lead_unit", "state", "-id"], name="case_unit_state_recent"),
            models.Index(fields=["deadline"]),
            # The open cases by deadline (overdue, due soon): most cases are closed, and a
            # walk of the whole deadline index would read them all to skip them.
            # With the id (the lists' tie-break) and the category (every 待办 section is
            # one workflow's), the overdue count is read from this index alone.
            models.Index(
                fields=["deadline", "id"],
                include=["category"],
                condition=Q(state__in=RUNNING_STATES),
                name="case_open_deadline",
            ),
            # … one category's (each 待办 section is one workflow's: a few categories' overdue
            # cases, not every category's, then sorted) …
            models.Index(
                fields=["category", "deadline", "id"],
                condition=Q(state__in=RUNNING_STATES),
                name="case_open_category",
            ),
            # … and a leader's (委领导's 待办: the cases in their charge that are overdue, not
            # every case ever put in their charge).
            models.Index(
                fields=["leader_in_charge", "deadline", "id"],
                include=["category"],
                condition=Q(state__in=RUNNING_STATES),
                name="case_leader_open",
            ),
            models.Index(fields=["-id"], name="case_recent"),
            # What changed since a moment ago (similar.index keeps its texts up to date).
            models.Index(fields=["updated_at"], name="case_updated"),
            # The ledger's default order (newest first) within a state or a year: a page
            # and its bounded count read that many index entries, whatever the state's or
            # the year's place in the table.
            models.Index(fields=["state", "-id"], name="case_state_recent"),
            models.Index(fields=["year", "-id"], name="case_year_recent"),
            # 我的待办's sections over the open cases, each in its own order, so that a
            # section's first rows and its count never read a closed case (issue 10):
            # 待交办 by 办理期限 then 收到日期, …
            models.Index(
                fields=["explicit_deadline", "received_on", "id"],
                condition=Q(state=State.REGISTERED),
                name="case_to_assign",
            ),
            # … 待登记评价 and 可办结 by reply date (the feedback window is per category
            # and level: read from the index), …
            models.Index(
                fields=["replied_on", "id"],
                include=["category", "level"],
                condition=Q(state=State.REPLIED),
                name="case_replied",
            ),
            # … 重新办理中 (a later round, not yet answered again) and the leader's
            # 逾期重点件 (重点 or 领办, running), by deadline.
            models.Index(
                fields=["deadline", "id"],
                condition=Q(round__gt=1, state__in=REHANDLING_STATES),
                name="case_rehandling",
            ),
            models.Index(
                fields=["deadline", "id"],
                condition=Q(state__in=RUNNING_STATES) & (Q(is_key=True) | ~Q(led_by="")),
                name="case_key_open",
            ),
            # The ledger's sortable columns and filters (web 台账): a page of 20 sorted by
            # number or title reads 20 index entries instead of sorting every case.
            models.Index(fields=["number", "id"], name="case_by_number"),
            models.Index(fields=["title", "id"], name="case_by_title"),
            # The ledger's filters in its default order (newest first). With one of these a
            # page and its bounded count read the filtered cases only, and for a unit they
            # are merged with the unit's parts (cases.models.CaseUnit), both newest first.
            models.Index(fields=["issuer", "-id"], name="case_by_issuer"),
            models.Index(fields=["feedback_result", "-id"], name="case_by_feedback"),
            models.Index(fields=["reply_class", "-id"], name="case_by_reply_class"),
            models.Index(fields=["mode", "-id"], name="case_by_mode"),
            # 重点, 领办, no lead unit yet, not answered, answered late, answered and not
            # rated: a few cases in a hundred each, in partial indexes that hold only those.
            models.Index(fields=["-id"], condition=Q(is_key=True), name="case_key"),
            models.Index(fields=["-id"], condition=~Q(led_by=""), name="case_led"),
            models.Index(fields=["-id"], condition=Q(lead_unit__isnull=True), name="case_no_unit"),
            models.Index(
                fields=["-id"], condition=Q(replied_on__isnull=True), name="case_unreplied"
            ),
            models.Index(
                fields=["-id"], condition=Q(replied_on__gt=F("deadline")), name="case_late"
            ),
            models.Index(
                fields=["-id"],
                condition=Q(feedback_result="", replied_on__isnull=False),
                name="case_unrated",
            ),
            # Date ranges (收到日期, 答复日期).
            models.Index(fields=["received_on"], name="case_received"),
            models.Index(
                fields=["replied_on"], condition=Q(replied_on__isnull=False), name="case_replied_on"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def lead_proposer(self) -> Proposer | None:
        links = getattr(self, "_prefetched_objects_cache", {}).get("proposer_links")
        if links is None:
            links = self.proposer_links.select_related("proposer")
        for link in links:
            if link.position == 0:
                return link.proposer
        return None


class CaseProposer(models.Model):
    """Position 0 is the lead proposer (领衔人); 1, 2 … the joint proposers in order."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposer_links")
    proposer = models.ForeignKey(Proposer, on_delete=models.PROTECT, related_name="case_links")
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="case_proposer_position"),
            models.UniqueConstraint(fields=["case", "proposer"], name="case_proposer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.proposer} #{self.position}"
