"""The API's own writes: a token issued at login, a token revoked by its holder. Each is
audited like every other change of an account (the console's actions, orgs/actions.py)."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from api.models import ApiToken
from audit.trail import SecurityAction, record_security_event
from huiyin.types import User


def _subject(user: User) -> str:
    return f"用户 {user.username}"


@transaction.atomic
def issue_token(user: User, *, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """A new bearer token for the user who just gave the right password (and second
    factor). Recorded in the security trail (TOKEN_ISSUE), with the caller's address."""
    token, key = ApiToken.objects.issue(user)
    # A token is a login: the inactivity rule (orgs.policy) counts from it too.
    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())
    record_security_event(
        request,
        actor=user,
        action=SecurityAction.TOKEN_ISSUE,
        subject=_subject(user),
        details={"token": token.pk, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, request: HttpRequest | None = None) -> None:
    """The holder ends the token (DELETE /api/v1/auth/token): refused from now on."""
    user = token.user
    ApiToken.objects.filter(pk=token.pk).delete()
    record_security_event(
        request,
        actor=user,
        action=SecurityAction.TOKEN_REVOKE,
        subject=_subject(user),
        details={"token": token.pk},
    )
