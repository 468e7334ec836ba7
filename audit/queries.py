"""Who reads the audit trail, and the filtered, newest-first reads of it (issue 16, 三权分立).

The 审计管理员 reads the whole trail (actions and the security trail). The 安全管理员 reads
the events of those who hold the 审计管理员 role, so that no role acts unseen by another.
Everyone else, the 系统管理员 included, may not read it (403).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent, EventKind, EventResult
from audit.trail import LABELS
from huiyin.dates import window_message, year_in_window
from huiyin.text import guard_form_text
from huiyin.types import AnyUser
from orgs.access import standing_of
from orgs.models import Membership, Role
from workflow.vocabulary import Action, Event

PAGE = 50
COUNT_LIMIT = 1000
EXPORT_LIMIT = 20_000


def action_labels() -> dict[str, str]:
    labels = {str(k): str(v) for k, v in (*Action.choices, *Event.choices)}
    labels.update(LABELS)
    return labels


@dataclass(frozen=True)
class TrailScope:
    everything: bool  # the 审计管理员
    auditors_only: bool  # the 安全管理员: the 审计管理员's own events


def scope_for(user: AnyUser) -> TrailScope:
    roles = standing_of(user).roles
    if Role.AUDITOR in roles:
        return TrailScope(everything=True, auditors_only=False)
    if Role.SECURITY in roles:
        return TrailScope(everything=False, auditors_only=True)
    raise PermissionDenied("只有审计管理员可以查看审计记录")


def events_for(user: AnyUser) -> QuerySet[AuditEvent]:
    scope = scope_for(user)
    events = AuditEvent.objects.all()
    if scope.auditors_only:
        auditors = Membership.objects.filter(role=Role.AUDITOR).values("user_id")
        events = events.filter(actor_id__in=auditors)
    return events


def event_for(user: AnyUser, pk: int) -> AuditEvent:
    event = events_for(user).filter(pk=pk).first()
    if event is None:
        from django.http import Http404

        raise Http404("没有这条审计记录")
    return event


class TrailFilter(forms.Form):
    kind = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *EventKind.choices]
    )
    action = forms.ChoiceField(label="操作", required=False)
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    result = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), *EventResult.choices]
    )
    date_from = forms.DateField(label="起始日期", required=False)
    date_to = forms.DateField(label="截止日期", required=False)
    q = forms.CharField(label="对象、办件或地址", required=False, max_length=100)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        labels = sorted(action_labels().items(), key=lambda item: item[1])
        self.fields["action"].choices = [("", "全部"), *labels]  # type: ignore[attr-defined]
        guard_form_text(self.fields)

    def _bounded(self, name: str) -> date | None:
        # 0001-01-01 or 9999-12-31 would overflow the day's start and end (huiyin.dates).
        value: date | None = self.cleaned_data.get(name)
        if value is not None and not year_in_window(value.year):
            raise forms.ValidationError(window_message())
        return value

    def clean_date_from(self) -> date | None:
        return self._bounded("date_from")

    def clean_date_to(self) -> date | None:
        return self._bounded("date_to")

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The events the valid filters keep (an invalid filter keeps nothing out)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("result"):
            events = events.filter(result=data["result"])
        if data.get("actor"):
            events = events.filter(actor_name__icontains=data["actor"])
        if data.get("date_from"):
            events = events.filter(at__gte=day_start(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(at__lt=day_start(data["date_to"] + timedelta(days=1)))
        if data.get("q"):
            text = data["q"]
            events = events.filter(
                Q(subject__icontains=text)
                | Q(case_label__icontains=text)
                | Q(address__icontains=text)
            )
        return events

    def query_string(self) -> str:
        """The valid filters as a query string (for the pages and the export)."""
        from urllib.parse import urlencode

        if not self.is_valid():
            return ""
        pairs = []
        for name, value in self.cleaned_data.items():
            if value:
                pairs.append((name, value.isoformat() if isinstance(value, date) else value))
        return urlencode(pairs)


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    next_before: int | None  # the keyset of the next (older) page
    count: int  # capped at COUNT_LIMIT + 1
    count_capped: bool


def page_of(events: QuerySet[AuditEvent], before: int | None) -> TrailPage:
    """Newest first, PAGE at a time by keyset (id < before): no OFFSET, a bounded count."""
    count = events[: COUNT_LIMIT + 1].count()
    if before is not None:
        events = events.filter(id__lt=before)
    rows = list(events.order_by("-id")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return TrailPage(
        events=rows,
        next_before=rows[-1].pk if more and rows else None,
        count=min(count, COUNT_LIMIT),
        count_capped=count > COUNT_LIMIT,
    )
