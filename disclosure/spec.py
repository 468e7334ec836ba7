"""The 议提案 actions of disclosure (公开答复, 撤回公开), added to proposals/spec.py."""

from workflow.tables import ActionSpec


def proposal_actions() -> list[ActionSpec]:
    return []
