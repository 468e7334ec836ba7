"""A simple self-hosted challenge for when the public page's rate is used up.

An addition or subtraction of two small numbers, asked in Chinese numerals ("七加十二等于
多少？"), answered in digits (or Chinese numerals). It slows a script down and costs a
person a few seconds; it is read aloud by a screen reader like any text, unlike a picture.

Nothing is kept per visitor until an answer comes back: the form carries a token signed
with django.core.signing (TimestampSigner, so it expires after
HUIYIN_PUBLIC_CHALLENGE_SECONDS) holding a random nonce and a keyed digest of
nonce + answer, never the answer itself (a signed value is readable, not secret).
A token is good for one try: its nonce is marked used in the cache on the first answer,
right or wrong. (With the per-process local-memory cache a token could be tried once per
web process; each try is still counted against the address.)
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core import signing
from django.core.cache import BaseCache, caches
from django.utils.crypto import constant_time_compare, salted_hmac

SALT: Final = "huiyin.opinions.public.challenge"
DEFAULT_SECONDS: Final = 600
DIGITS: Final = "零一二三四五六七八九"
MAX_TOKEN: Final = 300


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def chinese_number(n: int) -> str:
    """0..99 in Chinese numerals: 7 七, 10 十, 12 十二, 20 二十, 35 三十五."""
    if not 0 <= n <= 99:
        raise ValueError(n)
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else DIGITS[tens]
    return f"{head}十{DIGITS[ones] if ones else ''}"


def parse_answer(raw: str) -> int | None:
    """What a person may type: '12', '１２' (full-width), ' 12 ', '十二'; None otherwise."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if not text or len(text) > 6:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    for n in range(100):
        if text == chinese_number(n) or (n >= 10 and n < 20 and text == "一" + chinese_number(n)):
            return n
    if text in ("〇", "两"):
        return {"〇": 0, "两": 2}[text]
    return None


def _seconds() -> int:
    return int(getattr(settings, "HUIYIN_PUBLIC_CHALLENGE_SECONDS", None) or DEFAULT_SECONDS)


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{nonce}:{answer}").hexdigest()[:32]


def new_challenge() -> Challenge:
    """A fresh question and its token."""
    a = secrets.randbelow(19) + 1  # 1..19
    b = secrets.randbelow(19) + 1
    if secrets.randbelow(2) and a != b:
        a, b = max(a, b), min(a, b)
        question, answer = f"{chinese_number(a)}减{chinese_number(b)}等于多少？", a - b
    else:
        question, answer = f"{chinese_number(a)}加{chinese_number(b)}等于多少？", a + b
    nonce = secrets.token_urlsafe(12)
    token = signing.TimestampSigner(salt=SALT).sign_object(
        {"n": nonce, "d": _digest(nonce, answer)}
    )
    return Challenge(question=question, token=token)


def _cache() -> BaseCache:
    return caches[getattr(settings, "HUIYIN_PUBLIC_CACHE", None) or "default"]


def check(token: str, answer: str) -> bool:
    """Whether `answer` answers the challenge of `token`: signed by us, not expired, not
    tried before. The token is spent either way."""
    if not token or len(token) > MAX_TOKEN:
        return False
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return False
    if not isinstance(data, dict):
        return False
    nonce, digest = data.get("n"), data.get("d")
    if not isinstance(nonce, str) or not isinstance(digest, str):
        return False
    if not _cache().add(f"huiyin:public:challenge:{nonce}", 1, timeout=_seconds() + 60):
        return False  # used already
    value = parse_answer(answer)
    if value is None:
        return False
    return constant_time_compare(digest, _digest(nonce, value))
