from huiyin.errors import DomainError


class ImportFileError(DomainError):
    """The file cannot be read as a ledger at all (wrong type, corrupt, encrypted, too
    large, uncomputed formulas). The message is for the user, in Chinese."""
