"""Reading the issuing organisation's configuration (发文设置), and what a letter needs
from it before it may be printed.

Until an administrator saves the console's 发文设置 page nothing is stored: the name is
settings.HUIYIN_COMMISSION_NAME (a generic 市卫生健康委员会 by default), the 代字 empty,
the 抄送 bodies those of `letters.wording`. Such a configuration is a placeholder, and
letters are refused (`require_ready`) with a message saying where to set it.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from huiyin.errors import DomainError
from letters import wording
from letters.models import LetterKind, LetterSeries, Organisation

ORGANISATION_PK = 1
# The 会办意见 to an outside lead agency has 抄送 bodies of its own, under this key.
CO_KEY = "co"
# A name or 代字 still holding a stand-in: the X of "X卫函", 某, ○ …
PLACEHOLDER_MARK = re.compile(r"[XxＸｘ×*＊?？○〇□]|某")
# A commission's name without its place: the shipped default 市卫生健康委员会 and the like.
GENERIC_NAME = re.compile(r"^[省市县区]?卫生健康(委员会|委|局)$")
SETUP_PAGE = "console:organisation"


class LetterSetupError(DomainError):
    """The organisation is not configured enough to print this letter (400, nothing written)."""

    code = "letter_setup_incomplete"


@dataclass(frozen=True)
class Setup:
    """The configuration as a letter uses it."""

    name: str
    codes: dict[str, str]  # kind → 代字
    copy_to: dict[str, list[str]]  # category or CO_KEY → bodies
    contact: str = ""
    phone: str = ""
    stored: bool = False  # saved by an administrator (else: the defaults)
    updated_by: str = ""
    updated_at: datetime | None = None

    def code(self, kind: str = LetterKind.REPLY) -> str:
        return self.codes.get(kind, "") or wording.NOTICE_CODES.get(kind, "")


def default_copy_to() -> dict[str, list[str]]:
    return {**{k: list(v) for k, v in wording.COPY_TO.items()}, CO_KEY: list(wording.COPY_TO_CO)}


def default_name() -> str:
    return str(getattr(settings, "HUIYIN_COMMISSION_NAME", "") or "")


def current() -> Setup:
    """The configuration now: two small queries (the organisation row, the 代字 rows)."""
    row = Organisation.objects.select_related("updated_by").filter(pk=ORGANISATION_PK).first()
    codes = dict(LetterSeries.objects.values_list("kind", "code"))
    if row is None:
        return Setup(name=default_name(), codes=codes, copy_to=default_copy_to())
    return Setup(
        name=row.name,
        codes=codes,
        copy_to={k: list(v) for k, v in (row.copy_to or {}).items()},
        contact=row.contact,
        phone=row.phone,
        stored=True,
        updated_by=row.updated_by.get_full_name() or row.updated_by.get_username()
        if row.updated_by
        else "",
        updated_at=row.updated_at,
    )


def commission_name() -> str:
    """The commission's name as configured (one query), for page headers and reports."""
    name = Organisation.objects.filter(pk=ORGANISATION_PK).values_list("name", flat=True).first()
    return name or default_name()


def contact_defaults() -> tuple[str, str]:
    """(contact, phone) to prefill a reply form with when nothing better is known (one query;
    empty strings until configured)."""
    row = Organisation.objects.filter(pk=ORGANISATION_PK).values_list("contact", "phone").first()
    return row or ("", "")


def is_placeholder_name(name: str) -> bool:
    name = (name or "").strip()
    return not name or bool(PLACEHOLDER_MARK.search(name)) or bool(GENERIC_NAME.match(name))


def is_placeholder_code(code: str) -> bool:
    code = (code or "").strip()
    return not code or bool(PLACEHOLDER_MARK.search(code))


def problems(setup: Setup, kind: str | None = LetterKind.REPLY) -> list[str]:
    """What still stands in for the real configuration, in words; none when a letter of
    `kind` (None: one without a 文号, the 征询意见表) may be printed."""
    found = []
    if is_placeholder_name(setup.name):
        found.append(f"机关名称（现为“{setup.name or '空'}”）")
    if kind is not None and is_placeholder_code(setup.code(kind)):
        label = LetterKind(kind).label
        found.append(f"{label}的发文机关代字（现为“{setup.code(kind) or '空'}”）")
    return found


def require_ready(setup: Setup, kind: str | None = LetterKind.REPLY) -> None:
    """Refuse (LetterSetupError) while the configuration a letter needs has placeholders."""
    missing = problems(setup, kind)
    if missing:
        raise LetterSetupError(
            f"发文设置尚未完成：{'、'.join(missing)}，不能生成文书。"
            f"请系统管理员在“系统管理 › 发文设置”（{reverse(SETUP_PAGE)}）中填写后再下载。",
            field="organisation",
        )


def format_number(code: str, year: int, number: int | str) -> str:
    """GB/T 9704-2012 7.2.4: 发文机关代字、年份、发文顺序号; the year in 六角括号 〔〕, the
    number without leading zeros, e.g. 武卫函〔2026〕17号."""
    return f"{code}〔{year}〕{number}号"
