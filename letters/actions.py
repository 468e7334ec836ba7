"""Writes to the 发文设置 and the 发文登记.

`configure_organisation` is the console's (administrators; the demo calls it as the
system, by=None): one transaction, one audit event with the old and new values.
`take_number` runs inside the 签发's own transaction (cases.actions.reply.sign_reply): the
year's counter row is locked until the signing commits, so two leaders signing at once get
consecutive numbers, and a signing that fails gives its number back (no gaps).
`issue_urge_notice` numbers a 催办通知单 the same way, inside the 催办's transaction.
"""

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from audit.record import record_event
from cases.models import Case, Category, Reply
from huiyin.errors import Conflict, Forbidden
from huiyin.types import User
from letters import wording
from letters.context_processors import forget_commission_name
from letters.models import (
    CONTACT_MAX,
    NAME_MAX,
    PHONE_MAX,
    LetterCounter,
    LetterKind,
    LetterNumber,
    LetterSeries,
    NoticeKind,
    Organisation,
    UrgeNotice,
)
from letters.setup import (
    CO_KEY,
    ORGANISATION_PK,
    LetterSetupError,
    current,
    format_number,
    is_placeholder_code,
    is_placeholder_name,
)
from orgs.access import standing_of
from orgs.models import Role, Unit

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CODE_RE = re.compile(r"^[\u4e00-\u9fff]{2,10}$")
PHONE_RE = re.compile(r"^[0-9０-９+＋\-－—()（） ,，、/转]*$")
BODY_MAX = 60  # one 抄送 body
BODIES_MAX = 12  # 抄送 bodies of one kind of letter
COPY_TO_KEYS = (*Category.values, CO_KEY)


class LetterSetupForbidden(LetterSetupError, Forbidden):
    """Only administrators change the 发文设置 (403)."""


class LetterSetupConflict(LetterSetupError, Conflict):
    """Two administrators saved at once (409)."""


def _line(value: Any, field: str, label: str, limit: int, *, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise LetterSetupError(f"{label}应为文字", field=field)
    if required and not text:
        raise LetterSetupError(f"请填写{label}", field=field)
    if CONTROL.search(text):
        raise LetterSetupError(f"{label}不能含控制字符", field=field)
    if len(text) > limit:
        raise LetterSetupError(f"{label}不能超过{limit}个字", field=field)
    return text


def _check_name(name: Any) -> str:
    name = _line(name, "name", "机关名称", NAME_MAX, required=True)
    if is_placeholder_name(name):
        raise LetterSetupError(
            f"“{name}”不是完整的机关名称：请填写本机关的全称，如“武汉市卫生健康委员会”",
            field="name",
        )
    return name


def _check_codes(codes: dict[str, Any]) -> dict[str, str]:
    unknown = set(codes) - set(LetterKind.values)
    if unknown:
        raise LetterSetupError(f"未知的文种：{'、'.join(sorted(unknown))}", field="codes")
    checked = {}
    for kind in LetterKind.values:
        field = f"code_{kind}"
        label = f"{LetterKind(kind).label}的发文机关代字"
        code = _line(codes.get(kind), field, label, 10, required=True)
        if is_placeholder_code(code) or not CODE_RE.match(code):
            raise LetterSetupError(
                f"{label}应为2至10个汉字，如“武卫函”（不能用“X”等占位符）", field=field
            )
        checked[kind] = code
    return checked


def _check_copy_to(copy_to: dict[str, Any]) -> dict[str, list[str]]:
    unknown = set(copy_to) - set(COPY_TO_KEYS)
    if unknown:
        raise LetterSetupError(f"未知的抄送类别：{'、'.join(sorted(unknown))}", field="copy_to")
    checked: dict[str, list[str]] = {}
    for key in COPY_TO_KEYS:
        field = f"copy_to_{key}"
        bodies = copy_to.get(key) or []
        if not isinstance(bodies, list | tuple):
            raise LetterSetupError("抄送机关应为名称的列表", field=field)
        names: list[str] = []
        for body in bodies:
            name = _line(body, field, "抄送机关名称", BODY_MAX, required=False)
            if name and name not in names:
                names.append(name)
        if len(names) > BODIES_MAX:
            raise LetterSetupError(f"抄送机关不能超过{BODIES_MAX}个", field=field)
        checked[key] = names
    return checked


def _check_phone(phone: Any) -> str:
    phone = _line(phone, "phone", "默认联系电话", PHONE_MAX, required=False)
    if not PHONE_RE.match(phone):
        raise LetterSetupError("联系电话只能含数字、空格和 - + ( ) 转", field="phone")
    return phone


@transaction.atomic
def configure_organisation(
    *,
    by: User | None,
    name: str,
    codes: dict[str, str],
    copy_to: dict[str, list[str]],
    contact: str = "",
    phone: str = "",
) -> dict[str, list[Any]]:
    """Set the issuing organisation: its name (letterhead, signature), the 代字 of each kind
    of letter, the 抄送 bodies per category (and CO_KEY), the contact defaults. Returns the
    changes, {field: [old, new]}; nothing is written (and no event) when nothing changed.

    Numbers already given keep the 代字 they were given with."""
    if by is not None and not standing_of(by).has(Role.ADMIN):
        raise LetterSetupForbidden("只有系统管理员可以修改发文设置")
    new: dict[str, Any] = {
        "name": _check_name(name),
        "contact": _line(contact, "contact", "默认联系人", CONTACT_MAX, required=False),
        "phone": _check_phone(phone),
        "copy_to": _check_copy_to(copy_to),
    }
    checked_codes = _check_codes(codes)

    before = current()
    row = Organisation.objects.select_for_update().filter(pk=ORGANISATION_PK).first()
    series = {s.kind: s for s in LetterSeries.objects.select_for_update()}
    # Before the first save, the old values are the defaults the letters printed.
    old: dict[str, Any] = {
        "name": before.name,
        "contact": before.contact,
        "phone": before.phone,
        "copy_to": before.copy_to,
    }
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
    for kind, code in checked_codes.items():
        was = series[kind].code if kind in series else ""
        if was != code:
            changes[f"code_{kind}"] = [was, code]
    if not changes:
        return changes

    actor = by if getattr(by, "pk", None) else None
    try:
        with transaction.atomic():
            if row is None:
                Organisation.objects.create(pk=ORGANISATION_PK, updated_by=actor, **new)
            else:
                for key, value in new.items():
                    setattr(row, key, value)
                row.updated_by = actor
                row.save()
            for kind, code in checked_codes.items():
                if kind not in series:
                    LetterSeries.objects.create(kind=kind, code=code)
                elif series[kind].code != code:
                    series[kind].code = code
                    series[kind].save(update_fields=["code"])
    except IntegrityError:
        # Of two administrators saving the first configuration at once, one gets here.
        raise LetterSetupConflict("发文设置刚被他人修改，请刷新后重试") from None
    if "name" in changes:
        forget_commission_name()  # the pages' header (letters.context_processors)
    record_event(
        actor=by,
        action="organisation_configured",
        subject="发文设置",
        details={"changes": changes},
    )
    return changes


def next_number(kind: str, year: int) -> int:
    """The next number of `kind` (LetterKind or NoticeKind) in `year`. Call it inside the
    transaction that uses the number: the counter row stays locked until that commits, so
    two at once get consecutive numbers and one that fails gives its number back."""
    # The year's first number creates the row; of two at once, the second waits on the
    # unique index for the first to commit, then finds the row.
    LetterCounter.objects.bulk_create(
        [LetterCounter(kind=kind, year=year, last=0)], ignore_conflicts=True
    )
    counter = LetterCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def take_number(
    kind: str, *, on: date, by: User | None, reply: Reply | None = None
) -> LetterNumber:
    """The next number of `kind` in the year of `on`, registered (发文登记). Call it inside
    the signing's transaction: the counter row stays locked until that commits.

    The 文号's text uses the 代字 of the moment; while there is none (a placeholder), the
    text is empty and a letter prints the number with the 代字 configured later."""
    year = on.year
    number = next_number(kind, year)
    code = LetterSeries.objects.filter(kind=kind).values_list("code", flat=True).first() or ""
    if is_placeholder_code(code):
        code = ""
    return LetterNumber.objects.create(
        kind=kind,
        year=year,
        number=number,
        code=code,
        text=format_number(code, year, number) if code else "",
        reply=reply,
        issued_on=on,
        issued_by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def issue_urge_notice(
    case: Case,
    *,
    on: date,
    by: User,
    unit: Unit,
    recipients: list[dict[str, str]],
    sender_unit: str,
    target_on: date | None,
    note: str,
) -> UrgeNotice:
    """The 催办通知单 of one 催办, numbered in the year of `on`; inside the urge's own
    transaction (cases.actions.urge), whose audit event records it."""
    number = next_number(NoticeKind.URGE, on.year)
    return UrgeNotice.objects.create(
        case=case,
        year=on.year,
        number=number,
        text=format_number(wording.NOTICE_CODES[NoticeKind.URGE], on.year, number),
        unit=unit,
        recipients=recipients,
        sender_unit=sender_unit,
        deadline=case.deadline,
        target_on=target_on,
        note=note,
        issued_on=on,
        issued_by=by,
        issuer_name=by.get_full_name() or by.get_username(),
    )
