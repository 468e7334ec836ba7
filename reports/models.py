"""The statistics' summary rows (issue 10): the dashboard and `huiyin stats` add up a few
thousand of these instead of reading a year of cases.

`CaseTally` is what one case adds to the summaries now; the `Tally*` tables hold counts
keyed by everything a figure or its filter combination tells apart (DESIGN.md §5). Every
action keeps them in step in its own transaction (reports.tally.refresh, on
audit.signals.cases_written); `huiyin stats --verify` compares them with a recount.

Key columns are never NULL (no lead unit is unit 0): a unique key over NULLs would let
two rows share one key. The time-dependent figures (超期未复, due soon) are not here:
they depend on today and are counted live from the open cases.
"""

from datetime import date

from django.db import models

from cases.figures import REPLIED_KEY
from cases.models import Case, Topic

# The key columns that every summary table shares, in their index order: a year's rows,
# and one unit's rows of a year, are one range of the unique index.
SHARED_KEY = ("year", "unit", "category", "state")
CELL_KEY = (
    "year",
    "unit",
    "category",
    "level",
    "state",
    "role",
    "led",
    REPLIED_KEY,
    "on_time",
    "reply_class",
    "feedback",
    "met",
)
MONTH_KEY = (*SHARED_KEY, "kind", "month")
TOPIC_KEY = (*SHARED_KEY, "topic")
OUTCOME_KEY = (*SHARED_KEY, "kind")
# A promise (承诺事项) is counted under its owner unit (Commitment.unit), not the case's lead
# unit; an open one also under its due date (逾期未兑现 is counted from those rows against
# today), a settled one under SETTLED_DUE.
PROMISE_KEY = (*SHARED_KEY, "status", "due")
SETTLED_DUE = date.min


class Keyed(models.Model):
    """The columns every summary row and every case's contribution share."""

    year = models.PositiveSmallIntegerField("年度")
    unit = models.BigIntegerField("主办处室", default=0)  # orgs.Unit id; 0: none yet
    category = models.CharField("类别", max_length=30)
    state = models.CharField("状态", max_length=30)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year} {self.unit} {self.category} {self.state}"


class CaseTally(Keyed):
    """One case's contribution to the summaries as last counted: what refresh subtracts
    before it adds the case as it is now."""

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    level = models.CharField("级别", max_length=20)
    role = models.CharField("我委角色", max_length=10)
    led = models.BooleanField("领办")
    replied = models.BooleanField("已答复")
    on_time = models.BooleanField("按期答复")
    reply_class = models.CharField("答复类别", max_length=1)
    feedback = models.CharField("评价结果", max_length=30)
    met = models.BooleanField("面商")
    received = models.DateField("收到月份")  # the first day of the month
    answered = models.DateField("答复月份", null=True)
    topics = models.JSONField("主题", default=list)  # topic ids, ascending
    outcomes = models.JSONField("成果转化", default=dict)  # {kind: count}
    # The promises it counts: [[owner unit, status, due (ISO), count], …], ascending.
    promises = models.JSONField("承诺事项", default=list)

    class Meta:
        verbose_name = "办件统计贡献"
        verbose_name_plural = verbose_name


class TallyCell(Keyed):
    """The number of cases (and of their outcomes) with one combination of the values the
    figures count by."""

    level = models.CharField("级别", max_length=20)
    role = models.CharField("我委角色", max_length=10)
    led = models.BooleanField("领办")
    replied = models.BooleanField("已答复")
    on_time = models.BooleanField("按期答复")
    reply_class = models.CharField("答复类别", max_length=1)
    feedback = models.CharField("评价结果", max_length=30)
    met = models.BooleanField("面商")
    n = models.IntegerField("件数", default=0)
    outcomes = models.IntegerField("成果转化数", default=0)

    class Meta:
        verbose_name = "统计格"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=CELL_KEY, name="tally_cell_key")]


class TallyMonth(Keyed):
    """Cases received, or answered, in one month (the dashboard's monthly flow)."""

    RECEIVED, ANSWERED = "received", "answered"

    kind = models.CharField("口径", max_length=10)  # received | answered
    month = models.DateField("月份")  # the first day of the month
    n = models.IntegerField("件数", default=0)

    class Meta:
        verbose_name = "月度统计"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=MONTH_KEY, name="tally_month_key")]


class TallyTopic(Keyed):
    """Cases with one topic. The topic is a reference for its (current) name only: no
    database constraint, so that a summary row never blocks anything on a topic."""

    topic = models.ForeignKey(
        Topic, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    n = models.IntegerField("件数", default=0)

    class Meta:
        verbose_name = "主题统计"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=TOPIC_KEY, name="tally_topic_key")]


class TallyOutcome(Keyed):
    """Outcomes (成果转化) of one kind."""

    kind = models.CharField("成果类型", max_length=20)
    n = models.IntegerField("项数", default=0)

    class Meta:
        verbose_name = "成果转化统计"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=OUTCOME_KEY, name="tally_outcome_key")]


class TallyPromise(Keyed):
    """Promises (承诺事项 of a signed B/C reply on a counted 议提案) of one owner unit (the
    `unit` column here), status and, while open, due date."""

    status = models.CharField("承诺状态", max_length=20)
    due = models.DateField("承诺完成时间")  # SETTLED_DUE for a settled promise
    n = models.IntegerField("项数", default=0)

    class Meta:
        verbose_name = "承诺事项统计"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=PROMISE_KEY, name="tally_promise_key")]
