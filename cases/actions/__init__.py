"""Every write to a case. Views, the API, importers and commands call these."""

from cases.actions.assign import accept_case, assign_case, return_case, withdraw_case
from cases.actions.feedback import close_case, record_feedback, reopen_case
from cases.actions.handling import (
    add_outcome,
    communicate,
    decide_extension,
    request_extension,
    submit_opinion,
    update_commitment,
)
from cases.actions.register import edit_case, register_case
from cases.actions.reply import approve_reply, review_reply, sign_reply, submit_reply

__all__ = [
    "accept_case",
    "add_outcome",
    "approve_reply",
    "assign_case",
    "close_case",
    "communicate",
    "decide_extension",
    "edit_case",
    "record_feedback",
    "register_case",
    "reopen_case",
    "request_extension",
    "return_case",
    "review_reply",
    "sign_reply",
    "submit_opinion",
    "submit_reply",
    "update_commitment",
    "withdraw_case",
]
