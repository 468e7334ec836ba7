"""The one rule for text that comes in (forms, API payloads, import cells, query strings).

Text may not hold control characters: NUL (which PostgreSQL cannot store, and which made
a query fail with a 500) and the other C0/C1 controls. Tab and line breaks are allowed in
multi-line text (a reply, a summary) only. Every text is bounded by its column; a text
column without a length of its own (TextField) by LONG_TEXT_MAX.

Each entry point uses the same check in its own shape: `check_text` raises a DomainError
(400) naming the field; `Line` / `Text` are pydantic types (422, the field named by its
title); `control_character_validator` is a Django form validator.
"""

import re
from collections.abc import Mapping
from typing import Annotated

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from huiyin.errors import DomainError

# C0 controls (except tab, LF, CR), DEL and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\t\n\r\u2028\u2029]")

CONTROL_MESSAGE = "不能含有控制字符（如空字符）"
LINE_BREAK_MESSAGE = "不能含有换行符或制表符"
TOO_LONG_MESSAGE = "不能超过{max_length}个字符"
# The longest multi-line text: a reply letter runs to a few thousand characters.
LONG_TEXT_MAX = 20_000
# The longest search or filter value a query string may carry.
QUERY_MAX = 100

# The pydantic error types of Line and Text, with their messages (for the API's and the web
# forms' tables of Chinese messages).
TEXT_MESSAGES = {"text_control": CONTROL_MESSAGE, "text_line_break": LINE_BREAK_MESSAGE}


class TextInvalid(DomainError):
    code = "text_invalid"


def text_problem(value: str, *, max_length: int | None = None, multiline: bool = False) -> str:
    """What is wrong with `value` ("" if nothing): the message without the field's name."""
    if _CONTROL.search(value):
        return CONTROL_MESSAGE
    if not multiline and _LINE_BREAK.search(value):
        return LINE_BREAK_MESSAGE
    if max_length is not None and len(value) > max_length:
        return TOO_LONG_MESSAGE.format(max_length=max_length)
    return ""


def visible(text: str) -> str:
    """`text` with each control character shown as "�": for quoting a refused value."""
    return _CONTROL.sub("\ufffd", text)


def check_text(
    value: str,
    *,
    label: str,
    field: str | None = None,
    max_length: int | None = None,
    multiline: bool = False,
) -> str:
    """`value` if acceptable; else TextInvalid "‹label›不能含有控制字符…" about `field`."""
    problem = text_problem(value, max_length=max_length, multiline=multiline)
    if problem:
        raise TextInvalid(f"{label}{problem}", field=field)
    return value


def column_length(model: type[models.Model], name: str) -> int:
    """The length a model's column holds (LONG_TEXT_MAX for a TextField)."""
    found = model._meta.get_field(name)
    return getattr(found, "max_length", None) or LONG_TEXT_MAX


# --- pydantic ---------------------------------------------------------------------------


def _pydantic_check(value: object, multiline: bool) -> object:
    # Before pydantic's own str validation, so that its length limits (Field(max_length=…))
    # still say "string_too_long"; what is not a str is left to it ("string_type").
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise PydanticCustomError("text_control", CONTROL_MESSAGE)
        # Surrounding whitespace is stripped (str_strip_whitespace), line breaks included.
        if not multiline and _LINE_BREAK.search(value.strip()):
            raise PydanticCustomError("text_line_break", LINE_BREAK_MESSAGE)
    return value


def _line(value: object) -> object:
    return _pydantic_check(value, multiline=False)


def _text(value: object) -> object:
    return _pydantic_check(value, multiline=True)


LINE_RULE = BeforeValidator(_line)
TEXT_RULE = BeforeValidator(_text)
# One line of text (a title, a name, a code); bound its length with Field(max_length=…) on
# the field, or inside Annotated *before* the rule: Annotated[str, Field(max_length=…),
# LINE_RULE] (after it, pydantic reports a list's "too_long" instead of a string's).
Line = Annotated[str, LINE_RULE]
# Multi-line text (tab and line breaks allowed), bounded the same way.
Text = Annotated[str, TEXT_RULE]


# --- Django forms -----------------------------------------------------------------------


class ControlCharacterValidator:
    """A form field validator: the same rule for Django's forms."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: object) -> None:
        if isinstance(value, str):
            problem = text_problem(value, multiline=self.multiline)
            if problem:
                raise ValidationError(problem, code="control_character")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ControlCharacterValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(self.multiline)


def guard_form_text(fields: Mapping[str, forms.Field]) -> None:
    """Give every text field of a Django form the rule (multi-line for a Textarea)."""
    for field in fields.values():
        if isinstance(field, forms.CharField):
            multiline = isinstance(field.widget, forms.Textarea)
            validator = ControlCharacterValidator(multiline=multiline)
            if validator not in field.validators:
                field.validators.append(validator)
