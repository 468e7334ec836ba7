class CalendarError(Exception):
    """A refused calendar change or unreadable calendar input, with a message in Chinese.

    Nothing was written when it is raised.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
