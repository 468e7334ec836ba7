"""代表委员: the directory of proposers (deputies, members, parties, sectors) and each one's
cases over the years. Everyone may read the directory; the cases listed are only those the
user may see, so a unit head finds their units' cases and nothing else.

A proposer's phone and address are shown masked to everyone. Those who contact the proposer
(the coordinator, and the units with a live assignment on one of their cases) may POST to
the page (显示完整号码) to see them in full, which is kept as a REVEAL security event;
anyone else gets 403."""

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.record import today
from audit.trail import SecurityAction, record_security_event
from cases.figures import deadline_tone, soon_end
from cases.listing import InvalidFilter, QueryReader, parse_page
from cases.models import Assignment, CaseProposer, Proposer, ProposerKind
from cases.permissions import LIVE_ASSIGNMENT, visible_cases
from disclosure.masking import mask_address, mask_phone
from huiyin.types import AuthedRequest, User
from huiyin.views import invalid_input
from orgs.access import standing_of
from orgs.models import Role
from web.views.ledger import page_links

PAGE_SIZE = 30


@dataclass(frozen=True)
class ProposerFilter:
    q: str = ""  # name
    kind: str = ""
    delegation: str = ""  # 代表团/界别
    party: str = ""

    @classmethod
    def from_params(cls, params: Any) -> "ProposerFilter":
        """The filter of a query string; InvalidFilter naming a parameter that does not parse
        (a NUL, a control character, an overlong value, an unknown kind)."""
        read = QueryReader(params)
        found = cls(
            q=read.text("q"),
            kind=read.choice("kind", ProposerKind.values),
            delegation=read.text("delegation"),
            party=read.text("party"),
        )
        read.done()
        return found

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.kind or self.delegation or self.party)

    def apply(self, qs: QuerySet[Proposer]) -> QuerySet[Proposer]:
        if self.q:
            qs = qs.filter(name__icontains=self.q)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.delegation:
            qs = qs.filter(delegation__icontains=self.delegation)
        if self.party:
            qs = qs.filter(party__icontains=self.party)
        return qs


def _with_case_counts(user: User, qs: QuerySet[Proposer]) -> QuerySet[Proposer]:
    """Each proposer's number of cases (as lead or joint proposer) that the user may see."""
    if standing_of(user).sees_all:
        return qs.annotate(case_count=Count("case_links"))
    visible = visible_cases(user).values("pk")
    return qs.annotate(case_count=Count("case_links", filter=Q(case_links__case__in=visible)))


@login_required
def proposer_list(request: AuthedRequest) -> HttpResponse:
    try:
        found = ProposerFilter.from_params(request.GET)
        page_no = parse_page(request.GET.get("page"))
    except InvalidFilter as exc:
        return invalid_input(
            request,
            exc.message,
            heading="无效的筛选条件",
            back_url=reverse("proposer-list"),
            back_label="清除筛选条件，查看全部代表委员",
        )
    qs = found.apply(Proposer.objects.all())
    count = qs.count()
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(page_no, pages)
    items = list(
        _with_case_counts(request.user, qs).order_by("name", "id")[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE
        ]
    )
    return render(
        request,
        "web/proposer_list.html",
        {
            "items": items,
            "count": count,
            "page": page,
            "pages": pages,
            "page_range": page_links(page, pages),
            "f": found,
            "filtered": not found.is_empty,
            "kinds": ProposerKind.choices,
        },
    )


@dataclass
class YearCases:
    year: int
    links: list[CaseProposer]


def sees_contact(user: User, proposer: Proposer) -> bool:
    """The coordinator, or a member of a unit with a live assignment on one of the
    proposer's cases (as lead or joint proposer): those who contact the proposer."""
    standing = standing_of(user)
    if standing.has(Role.COORDINATOR):
        return True
    if not standing.unit_ids or not (proposer.phone or proposer.address):
        return False
    return Assignment.objects.filter(
        case__proposer_links__proposer=proposer,
        status__in=LIVE_ASSIGNMENT,
        unit_id__in=standing.unit_ids,
    ).exists()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proposer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The page; a POST (显示完整号码) shows it again with the phone and address in full."""
    try:
        proposer = Proposer.objects.get(pk=pk)
    except Proposer.DoesNotExist:
        raise Http404("代表委员不存在") from None
    may_reveal = bool(proposer.phone or proposer.address) and sees_contact(request.user, proposer)
    revealed = request.method == "POST"
    if revealed:
        if not may_reveal:
            raise PermissionDenied("只有议提案管理员和承办其办件的单位可以查看完整联系方式")
        with transaction.atomic():
            record_security_event(
                request,
                action=SecurityAction.REVEAL,
                subject=f"proposer:{proposer.pk}",
                details={"field": "phone", "also": "address"},
            )
    on = today()
    visible = visible_cases(request.user).values("pk")
    links = list(
        CaseProposer.objects.filter(proposer=proposer, case__in=visible)
        .select_related("case", "case__lead_unit")
        .order_by("-case__year", "case__category", "case__number", "case__id")
    )
    soon_until = soon_end(on)
    for link in links:
        link.case.deadline_tone = deadline_tone(link.case, on, soon_until)
    lead_count = sum(1 for link in links if link.position == 0)
    years = [YearCases(year, list(group)) for year, group in groupby(links, lambda x: x.case.year)]
    return render(
        request,
        "web/proposer_detail.html",
        {
            "proposer": proposer,
            "phone": proposer.phone if revealed else mask_phone(proposer.phone),
            "address": proposer.address if revealed else mask_address(proposer.address),
            "may_reveal": may_reveal and not revealed,
            "revealed": revealed,
            "years": years,
            "count": len(links),
            "lead_count": lead_count,
            "joint_count": len(links) - lead_count,
            "today": on,
        },
    )
