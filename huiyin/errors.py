"""The one error hierarchy of Huiyin: every refusal the domain raises is a DomainError.

A DomainError carries a message for the user, in Chinese, the `field` it concerns (or
None) and a stable `code` that callers may branch on (never the message's text). Nothing
was written when one is raised. Its kind says how every entry point answers it:

    DomainError  refused: the request is understood but not acceptable now   400
    Forbidden    the caller's role may never do this                         403
    NotFound     what the request names does not exist (for this caller)     404
    Conflict     someone else changed it meanwhile; reload and try again     409

Each entry point maps them in one place: the API in `api.errors` (one ninja exception
handler), the web in `web.errors.web_error`, management commands in
`huiyin.commands.command_error`. The older names (CaseError, ActionForbidden, OrgError,
RuleSettingError, CalendarError, …) are subclasses, so `except CaseError` keeps working.
"""

from typing import ClassVar


class DomainError(Exception):
    """A refused request, with a message for the user in Chinese. Nothing was written."""

    status: ClassVar[int] = 400
    code: str = "refused"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r})"


# The kinds. A subclass in an app combines its app's base with a kind, e.g.
# `class ActionForbidden(CaseError, Forbidden)`: `except CaseError` still catches it, and
# its status is the kind's (the app's base defines no status of its own).


class Forbidden(DomainError):
    """The caller may never do this, whatever the data (403)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """What the request names does not exist, or the caller may not know that it does (404)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The data changed under the request (another user acted first): reload, retry (409)."""

    status = 409
    code = "conflict"
