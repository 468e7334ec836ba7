"""The 议提案 actions of 并案 (并案, 取消并案), added to proposals/spec.py."""

from workflow.tables import ActionSpec


def proposal_actions() -> list[ActionSpec]:
    return []
