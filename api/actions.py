"""The API's own writes: a token issued at login, a token revoked by its holder. Each is
audited like every other change of an account (the console's actions, orgs/actions.py)."""

from django.db import transaction

from api.models import ApiToken
from audit.record import record_event
from huiyin.types import User


def _subject(user: User) -> str:
    return f"用户 {user.username}"


@transaction.atomic
def issue_token(user: User) -> tuple[ApiToken, str]:
    """A new bearer token for the user who just gave the right password."""
    token, key = ApiToken.objects.issue(user)
    record_event(
        actor=user,
        action="token_issued",
        subject=_subject(user),
        details={"token": token.pk, "expires_at": token.expires_at.isoformat()},
    )
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    """The holder ends the token (DELETE /api/v1/auth/token): refused from now on."""
    user = token.user
    ApiToken.objects.filter(pk=token.pk).delete()
    record_event(
        actor=user, action="token_revoked", subject=_subject(user), details={"token": token.pk}
    )
