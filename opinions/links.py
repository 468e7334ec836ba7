"""The person's private link to an opinion: its tracking code, signed. Nothing is stored;
a leaked link shows that one opinion's progress, never a name or a full phone number."""

from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from opinions.models import Opinion

SALT = "huiyin.opinions.link"


def token_for(code: str) -> str:
    return signing.Signer(salt=SALT).signature(code)


def private_path(opinion: Opinion) -> str:
    return reverse("opinions_public:track", args=[opinion.code, token_for(opinion.code)])


def opinion_by_link(code: str, token: str) -> Opinion | None:
    if not code or not token or len(code) > 16 or len(token) > 100:
        return None
    if not constant_time_compare(token, token_for(code)):
        return None
    return Opinion.objects.select_related("case", "case__lead_unit").filter(code=code).first()
