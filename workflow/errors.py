class CaseError(Exception):
    """A refused action, with a message for the user in Chinese. Nothing was written."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ActionForbidden(CaseError):
    """The user's role may never perform this action on this case (403, not 400)."""
