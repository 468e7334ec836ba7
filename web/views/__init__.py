"""The web UI's views, a module per area; the case pages live in web.views.cases."""

from web.views.cases import case_action, case_detail, case_list, case_register, home

__all__ = ["case_action", "case_detail", "case_list", "case_register", "home"]
