"""Which units take part in which cases: the rows that unit scoping reads.

A unit sees the cases it leads or holds a live assignment on (DESIGN.md §4). Asked of the
cases and assignments directly, that is "lead unit = X OR id IN (live assignments of X)":
assignments stay live after a case closes, so the subquery covers the unit's whole
history, and the OR keeps the database from walking any one index in the list's order
(issue 10: 124 ms for a count at 1,000,000 cases). Here the same set is one row per
(case, unit), with the case's state beside it: a unit's cases in a state, newest first,
are one index range, and its open cases never touch the closed ones.

The rows are derived, never edited: cases.involvement recomputes a case's rows whenever
an action or the importer writes the case (audit.signals.cases_written), and rebuilds
them all after a bulk load.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models.case import RUNNING_STATES, Case
from workflow.vocabulary import State


class CaseUnit(models.Model):
    """One unit's part in one case, while the unit may see the case."""

    # Derived rows: no foreign-key constraints in the database (the rows are written
    # after the case, rebuilt in bulk, and checked against a recount), only in Django.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="unit_parts", db_constraint=False
    )
    # No index of their own: the composite indexes below begin with them.
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The case's lead unit (case.lead_unit), with or without an assignment row.
    lead = models.BooleanField()
    # The unit's live assignment on the case (at most one), or empty: its kind (lead or
    # co), its status (pending or accepted) and its handler (承办人).
    kind = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The case's state and deadlines, copied: a unit's cases in a state, or its open
    # cases by deadline, are one range of an index (a section of 我的待办 reads its first
    # rows there, without sorting every open case of the unit).
    state = models.CharField(max_length=30)
    deadline = models.DateField(null=True)
    unit_deadline = models.DateField(null=True)
    # The case's ledger year, category and level, copied too: the ledger's filters on
    # them (and the statistics' links, which add them) read a unit's parts alone, and a
    # 待办 section (one category's) counts its parts from an index alone.
    year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=30)
    level = models.CharField(max_length=20)

    class Meta:
        verbose_name = "处室办件"
        verbose_name_plural = "处室办件"
        constraints = [
            models.UniqueConstraint(fields=["unit", "case"], name="caseunit_once"),
        ]
        indexes = [
            # A unit's cases newest first (the ledger's default order), with what its
            # filters on the part read.
            models.Index(
                fields=["unit", "-case"],
                include=["state", "year", "category", "level", "lead"],
                name="caseunit_recent",
            ),
            # A unit's cases in a state, newest first (the ledger's default order); the
            # 待办 sections' conditions on the part are read from the index alone.
            models.Index(
                fields=["unit", "state", "-case"],
                include=["lead", "kind", "status", "handler", "category"],
                name="caseunit_state",
            ),
            # The cases a person handles, newest first (the ledger's 承办人 filter).
            models.Index(
                fields=["handler", "-case"],
                include=["state"],
                condition=Q(handler__isnull=False),
                name="caseunit_handler",
            ),
            # A unit's running cases by deadline (逾期办件, 待签收), …
            models.Index(
                fields=["unit", "deadline", "case"],
                include=["state", "kind", "status", "handler", "category"],
                condition=Q(state__in=RUNNING_STATES),
                name="caseunit_open",
            ),
            # … its cases in hand by the unit's own deadline (待指定承办人, 本处室办理中), …
            models.Index(
                fields=["unit", "unit_deadline", "case"],
                include=["kind", "status", "handler", "category"],
                condition=Q(state=State.HANDLING),
                name="caseunit_handling",
            ),
            # … and a handler's (我承办的).
            models.Index(
                fields=["handler", "unit_deadline", "case"],
                include=["kind", "status", "category"],
                condition=Q(state=State.HANDLING, handler__isnull=False),
                name="caseunit_mine",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.unit_id}"
