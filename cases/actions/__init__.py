"""Every write to a case. Views, the API, importers and commands call these.

Each name is re-exported explicitly (`import x as x`): `actions.assign_case(...)`."""

from cases.actions.assign import accept_case as accept_case
from cases.actions.assign import assign_case as assign_case
from cases.actions.assign import return_case as return_case
from cases.actions.assign import withdraw_case as withdraw_case
from cases.actions.feedback import close_case as close_case
from cases.actions.feedback import record_feedback as record_feedback
from cases.actions.feedback import reopen_case as reopen_case
from cases.actions.handling import add_outcome as add_outcome
from cases.actions.handling import communicate as communicate
from cases.actions.handling import decide_extension as decide_extension
from cases.actions.handling import request_extension as request_extension
from cases.actions.handling import submit_opinion as submit_opinion
from cases.actions.handling import update_commitment as update_commitment
from cases.actions.register import edit_case as edit_case
from cases.actions.register import register_case as register_case
from cases.actions.reply import approve_reply as approve_reply
from cases.actions.reply import review_reply as review_reply
from cases.actions.reply import sign_reply as sign_reply
from cases.actions.reply import submit_reply as submit_reply
from cases.actions.urge import urge_case as urge_case
