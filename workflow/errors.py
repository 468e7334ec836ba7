"""The case workflow's errors: kinds of huiyin.errors.DomainError (see there for how each
entry point answers them)."""

from huiyin.errors import Conflict, DomainError, Forbidden, NotFound


class CaseError(DomainError):
    """A refused action, with a message for the user in Chinese. Nothing was written."""


class ActionForbidden(CaseError, Forbidden):
    """The user's role may never perform this action on this case (403, not 400)."""


class UnknownAction(CaseError, NotFound):
    """The case's category has no such action, or none it offers to users (404)."""


class StaleCase(CaseError, Conflict):
    """Another user acted on the case between reading and writing it (409): reload, retry."""
