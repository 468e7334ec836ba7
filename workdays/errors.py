from huiyin.errors import DomainError


class CalendarError(DomainError):
    """A refused calendar change or unreadable calendar input, with a message in Chinese.

    Nothing was written when it is raised.
    """
