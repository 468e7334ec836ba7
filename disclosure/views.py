"""/disclosure/: the public page of disclosed replies (答复公开), no login.

- /disclosure/              the live, published replies, newest reply first, paginated;
                            ?q= words (every word in the title or the text), ?year=,
                            ?category= (代表建议 / 政协提案), ?topic=
- /disclosure/<id>/         one of them; anything else (not decided, 不公开, withdrawn) 404

Only what the decision published is read: the masked title and text, the category, the
year and the reply date; never the reply itself, a proposer, a staff member or a note.
Rate-limited per address like the other public pages (opinions/public/ratelimit.py).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.record import today
from cases.listing import QueryReader
from cases.models import Category, Topic
from cases.models.choices import PROPOSAL_CATEGORIES
from disclosure.masking import mask
from disclosure.queries import public_disclosures, search, years_published
from letters.setup import commission_name
from opinions.public import ratelimit

PER_PAGE = 20
MAX_WORDS = 10
EXCERPT = 160
BLOCKED = "访问过于频繁，请稍后再试。"
CATEGORY_WORDS: dict[str, str] = {
    Category.NPC_SUGGESTION: "人大代表建议",
    Category.CPPCC_PROPOSAL: "政协提案",
}


def _public_headers(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "same-origin"
    return response


def _limited(request: HttpRequest) -> HttpResponse | None:
    key = ratelimit.address_key(ratelimit.client_address(request))
    if ratelimit.exceeded("disclosure", key):
        response = render(
            request,
            "disclosure/public/message.html",
            {"heading": "请稍后再试", "message": BLOCKED, "commission_name": commission_name()},
            status=429,
        )
        response["Retry-After"] = str(ratelimit.rate_for("disclosure").seconds)
        return response
    ratelimit.hit("disclosure", key)
    return None


def _excerpt(text: str) -> str:
    # Masked after the lines are joined: two numbers on two lines may make one.
    flat = mask(" ".join(text.split())).text
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "……"


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    limited = _limited(request)
    if limited:
        return limited
    reader = QueryReader(request.GET)
    q = reader.text("q")
    year = reader.year("year")
    category = reader.choice("category", PROPOSAL_CATEGORIES)
    topic = reader.number("topic", 1, 2**31 - 1)
    page_number = reader.number("page", 1, 10**6) or 1
    found = search(q.split()[:MAX_WORDS], year=year, category=category, topic=topic)
    page = Paginator(
        found.only(
            "pk", "published_title", "published_text", "category", "year", "replied_on", "mode"
        ),
        PER_PAGE,
    ).get_page(page_number)
    for item in page.object_list:
        item.published_title = mask(item.published_title).text
        item.excerpt = _excerpt(item.published_text)
        item.category_word = CATEGORY_WORDS.get(item.category, "")
    # The words are searched as typed (the published text holds no phone number to find),
    # but the page echoes them masked: the search box and the paging links.
    shown = mask(q).text
    kept = {"q": shown, "year": year or "", "category": category, "topic": topic or ""}
    query = urlencode({k: v for k, v in kept.items() if v})
    topics = (
        Topic.objects.filter(cases__disclosures__in=public_disclosures())
        .distinct()
        .order_by("name")
    )
    response = render(
        request,
        "disclosure/public/index.html",
        {
            "commission_name": commission_name(),
            "page": page,
            "q": shown,
            "year": year,
            "category": category,
            "topic": topic,
            "query": query,
            "filtered": any(kept.values()),
            "problems": reader.problems,
            "years": years_published(today()),
            "categories": list(CATEGORY_WORDS.items()),
            "topics": list(topics.values_list("pk", "name")[:200]),
        },
        status=400 if reader.problems else 200,
    )
    return _public_headers(response)


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    limited = _limited(request)
    if limited:
        return limited
    found = public_disclosures().filter(pk=pk).first()
    if found is None:
        return render(
            request,
            "disclosure/public/message.html",
            {
                "heading": "没有找到这件答复",
                "message": "这件答复没有公开或已撤回公开。",
                "commission_name": commission_name(),
                "back": True,
            },
            status=404,
        )
    response = render(
        request,
        "disclosure/public/detail.html",
        {
            "commission_name": commission_name(),
            "item": found,
            "category_word": CATEGORY_WORDS.get(found.category, ""),
            # Stored masked; masked again on the way out in case the rules have grown since.
            "lines": [line.strip() for line in mask(found.published_text).text.split("\n")],
            "title": mask(found.published_title).text,
        },
    )
    return _public_headers(response)
