"""Workflows as data: per category, its states and the transitions between them.

A transition names the states it may start from, the states it may lead to (empty:
the case stays where it is), and who may perform it, as relations of the user to the
case (see workflow.relations). The engine refuses anything not written here.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    targets: frozenset[str]
    actors: frozenset[str]
    # Internal paths (the import of history) that no user is offered as an action.
    hidden: bool = False


@dataclass(frozen=True)
class Workflow:
    category: str
    initial: str
    states: dict[str, str]  # code → Chinese label, in display order
    transitions: dict[str, Transition] = field(default_factory=dict)
    closed_states: frozenset[str] = frozenset()  # no deadline runs here

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)


_REGISTRY: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    for t in workflow.transitions.values():
        unknown = (t.sources | t.targets) - workflow.states.keys()
        if unknown:
            raise ValueError(f"{workflow.category}.{t.action}: unknown states {sorted(unknown)}")
    if workflow.initial not in workflow.states:
        raise ValueError(f"{workflow.category}: unknown initial state {workflow.initial}")
    _REGISTRY[workflow.category] = workflow
    return workflow


def unregister_workflow(category: str) -> None:
    _REGISTRY.pop(category, None)


def workflow_for(category: str) -> Workflow:
    try:
        return _REGISTRY[category]
    except KeyError:
        raise LookupError(f"no workflow for category {category!r}") from None


def t(action: str, label: str, sources: str, targets: str, actors: str) -> Transition:
    """Compact constructor: space-separated names, as in the tables below."""
    return Transition(
        action=action,
        label=label,
        sources=frozenset(sources.split()),
        targets=frozenset(targets.split()),
        actors=frozenset(actors.split()),
    )
