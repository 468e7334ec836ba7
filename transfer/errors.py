class ImportFileError(Exception):
    """The file cannot be read as a ledger at all (wrong type, corrupt, encrypted, too
    large, uncomputed formulas). The message is for the user, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
