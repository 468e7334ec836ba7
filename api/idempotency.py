"""A write done once per idempotency key: a retried request (the answer was lost, the
button was clicked twice) finds the key of the first and is answered with its result,
writing nothing. The API takes the key from the `Idempotency-Key` header, the web's
action forms send a hidden key made for each rendered form."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, transaction

from api.models import IdempotencyKey
from cases.models import Case
from huiyin.errors import Conflict, DomainError
from huiyin.types import User

T = TypeVar("T")

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")


class KeyInvalid(DomainError):
    """A malformed key (400)."""


class KeyReused(Conflict):
    """The key names another write of the same user."""


@dataclass(frozen=True)
class Replay:
    """The write was done before, under the same key."""

    status: int
    case_id: int | None
    summary: str


def clean_key(raw: str | None, *, strict: bool = True) -> str | None:
    """The key, None when none was sent; a malformed key is refused (or, not `strict`,
    ignored: a web form's hidden field is ours, not the user's)."""
    if raw is None or raw == "":
        return None
    if KEY_RE.match(raw):
        return raw
    if not strict:
        return None
    raise KeyInvalid(
        f"{HEADER} 应为8到100个字母、数字或 - _ . : 组成的字符串（建议用 UUID）", field=HEADER
    )


def was_used(user: User, key: str) -> bool:
    return IdempotencyKey.objects.filter(user=user, key=key).exists()


def _previous(user: User, key: str, action: str, case: Case | None) -> Replay | None:
    found = IdempotencyKey.objects.filter(user=user, key=key).first()
    if found is None:
        return None
    if found.action != action or (case is not None and found.case_id != case.pk):
        raise KeyReused(f"此 {HEADER} 已用于另一项操作，请为每次提交使用新的值", field=HEADER)
    return Replay(found.status, found.case_id, found.summary)


def once(
    *,
    user: User,
    key: str | None,
    action: str,
    case: Case | None,
    work: Callable[[], T],
    case_of: Callable[[T], Case | None] = lambda result: None,
    status: int = 200,
    summary: str = "",
) -> T | Replay:
    """Run `work` in one transaction with the key's record: its result, or Replay if the
    key was used before (by a finished request, or by one finishing meanwhile). Without
    a key `work` runs as it is: it must be atomic itself."""
    if key is None:
        return work()  # its own transaction (an action is one)
    replay = _previous(user, key, action, case)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user, key=key, action=action, case=case, status=status, summary=summary
            )
            result = work()
            made = case_of(result)
            if case is None and made is not None:
                record.case = made
                record.save(update_fields=["case"])
    except IntegrityError:
        # The same key inserted by a concurrent request that committed first.
        replay = _previous(user, key, action, case)
        if replay is None:
            raise
        return replay
    return result
