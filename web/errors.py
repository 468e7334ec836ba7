"""The web pages' one mapping of the domain's errors (huiyin.errors) to what the user sees."""

from typing import Protocol

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404

from huiyin.errors import DomainError, Forbidden, NotFound


class ErrorSink(Protocol):
    """A form that shows a message beside a field (or above the form for None): the web's
    PayloadForm; Django's forms are handled too."""

    def add_error(self, name: str | None, message: str) -> None: ...


def web_error(
    exc: DomainError,
    form: ErrorSink | forms.BaseForm | None = None,
    fields: dict[str, str] | None = None,
) -> int:
    """What a page does with a refused request:

    - Forbidden (ActionForbidden, OrgForbidden …): raises PermissionDenied, the 403 page;
    - NotFound: raises Http404;
    - otherwise (refused, or changed by someone else meanwhile): puts the message beside
      its field in `form` (above the form when it has no such field; `fields` renames an
      error's field to the form's), and returns the status the page showing the form
      again answers with: 400, or 409 for a conflict.

    Without a form the caller shows `exc.message` itself (e.g. as a flash message).
    """
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from exc
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(form, forms.BaseForm):
        name = (fields or {}).get(exc.field, exc.field) if exc.field else None
        form.add_error(name if name in form.fields else None, exc.message)
    elif form is not None:
        name = (fields or {}).get(exc.field, exc.field) if exc.field else None
        form.add_error(name, exc.message)
    return exc.status
