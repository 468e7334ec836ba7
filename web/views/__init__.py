"""The web UI's views, a module per area; the case pages live in web.views.cases."""

from web.views.cases import case_action, case_action_card, case_detail, case_register
from web.views.ledger import case_list
from web.views.proposers import proposer_detail, proposer_list
from web.views.todo import home

__all__ = [
    "case_action",
    "case_action_card",
    "case_detail",
    "case_list",
    "case_register",
    "home",
    "proposer_detail",
    "proposer_list",
]
