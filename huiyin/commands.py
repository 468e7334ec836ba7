"""Management commands' one mapping of domain errors: a DomainError becomes a CommandError
with its message (in Chinese) and the exit status of its kind."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from huiyin.errors import Conflict, DomainError

# Exit statuses: 1 for every refusal, forbidden and not found included (scripts test for
# non-zero); 75 (EX_TEMPFAIL in sysexits.h) when someone else changed the data meanwhile,
# so a script knows that running it again may succeed.
EXIT_REFUSED = 1
EXIT_CONFLICT = 75


def exit_status(exc: DomainError) -> int:
    return EXIT_CONFLICT if isinstance(exc, Conflict) else EXIT_REFUSED


def command_error(exc: DomainError) -> CommandError:
    """The CommandError a command raises for a domain error."""
    return CommandError(exc.message, returncode=exit_status(exc))


@contextmanager
def domain_errors() -> Iterator[None]:
    """`with domain_errors(): …` turns a DomainError raised inside into its CommandError."""
    try:
        yield
    except DomainError as exc:
        raise command_error(exc) from None
