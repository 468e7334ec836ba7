"""Workflows as data: each category declares its states and its actions once.

A category's module (the 议提案 one is `proposals/spec.py`) builds one `Workflow`: its
states with their labels and named groups, and one `ActionSpec` per action — the
transition (from → to, who may act), the payload it takes, the function that performs
it, when it is available beyond the state, its web form, how it reads on the timeline —
and its 待办 queues. Every entry point reads these: `cases.dispatch` (API and web
posts), the case page's action cards, the timeline, 我的待办, the ledger's state labels
and statistics' state groups. The engine refuses anything not written here.

Actors are relations of the user to the case (`workflow.vocabulary.Relation`, computed by
`cases.permissions.relations`); a table naming an unknown actor or state fails when it is
registered, at start-up, not silently when a user acts.

Its deadlines are data too: each `Clock` finds the open deadlines of one kind (the reply,
the unit's draft, a co-unit's opinion …) for every case at once, and the `ladder` of
`Step`s says who is reminded how many working days before or after each (the reminders
app's morning run, `reminders.run`, reads both; the case page shows a case's step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from workflow.vocabulary import Relation

if TYPE_CHECKING:
    from datetime import date

    from pydantic import BaseModel

GENERIC_FORM = "web/actions/_generic.html"

# Where a card sits on the case page: the step that moves the case on, the recording
# ones, edit, and those that take it back or away.
MOVES_ON, RECORDS, EDITS, TAKES_BACK = range(4)


@dataclass(frozen=True)
class Form:
    """How an action's card looks on the case page (web/action_cards.py builds it).

    `initial(card_input)` prefills the form; `context(card_input)` returns what the card
    shows beside the form (deadlines, the draft, the letter) and is called only when the
    card is shown, never to validate a post; `fields(case)` returns the fields to hide or
    require for that case ({"hidden": …, "required": …}: a 会办 reply has no class).
    """

    template: str = GENERIC_FORM
    danger: bool = False
    # Shown open and styled as the main step; default: the action moves the case on.
    primary: bool | None = None
    group: int | None = None  # card order group; default from the transition
    on_label: str = ""  # the action date's name in this form: 签收日期 …
    dated: bool = True  # the action date defaults to today in the form
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # field → (label, help)
    warning: str = ""
    decisions: Sequence[tuple[str, str]] = ()  # the yes/no buttons' words, when not the default
    # field → the TextChoices whose labels its select shows (a category's own codes).
    choices: Mapping[str, Any] = field(default_factory=dict)
    # field → options(card_input): a select whose (value, label) pairs come from the case
    # (a list item's measures).
    options: Mapping[str, Callable[..., list[tuple[str, str]]]] = field(default_factory=dict)
    order: Sequence[str] = ()  # fields shown first
    hidden: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)  # error on a hidden field → shown at
    only_changed: bool = False  # the payload carries only changed fields (edit)
    initial: Callable[..., dict[str, Any]] | None = None
    context: Callable[..., dict[str, Any]] | None = None
    fields: Callable[..., Mapping[str, set[str]]] | None = None


Row = tuple[str, str]


@dataclass(frozen=True)
class Wording:
    """How the action's audit event reads on the 办理轨迹. `head(details, names)` gives the
    rows shown first, `tail(details, names)` those after the common ones (decision, gates,
    dates, ratings); reason, comment and note always come last."""

    head: Callable[[dict[str, Any], Mapping[str, str]], list[Row]] | None = None
    tail: Callable[[dict[str, Any], Mapping[str, str]], list[Row]] | None = None
    yes: str = "同意"  # how an approval reads
    no: str = "不同意，退回修改"
    labels: Mapping[str, str] = field(default_factory=dict)  # names of detail keys (gates)


def _always(case: Any, today: date, mine: set[str]) -> bool:
    return True


@dataclass(frozen=True)
class ActionSpec:
    action: str
    label: str
    sources: frozenset[str]
    targets: frozenset[str]  # empty: the case stays where it is
    actors: frozenset[str]
    payload: type[BaseModel] | None = None
    # run(case, by, payload): performs the action (a function of cases.actions).
    run: Callable[..., Any] | None = None
    # Data conditions beyond state and role, so that `available_actions` offers only
    # what would succeed; the action itself checks the same helper.
    available: Callable[..., bool] = _always
    form: Form = field(default_factory=Form)
    wording: Wording = field(default_factory=Wording)
    # Internal paths (the import of history) that no user is offered as an action.
    hidden: bool = False
    # What the user is told once it is done: what happened and what comes next
    # ("已交办给医政医管处，答复期限2026年6月22日"), from the case as the action left it.
    success: Callable[[Any], str] | None = None

    def success_message(self, case: Any) -> str:
        return self.success(case) if self.success else f"已完成：{self.label}"

    @property
    def moves(self) -> bool:
        return bool(self.targets)

    @property
    def card_group(self) -> int:
        if self.form.group is not None:
            return self.form.group
        if self.form.danger:
            return TAKES_BACK
        return MOVES_ON if self.moves else RECORDS

    @property
    def primary(self) -> bool:
        if self.form.primary is not None:
            return self.form.primary
        return self.moves and not self.form.danger


# The old name: a transition is the part of an action's spec the engine reads.
Transition = ActionSpec


@dataclass(frozen=True)
class Queue:
    """A section of 我的待办: `build(builder)` returns it filled (cases.todo). `role` is
    whose page shows it: coordinator, leader, unit (heads and handlers) or viewer;
    `action` the card it opens."""

    role: str
    key: str
    build: Callable[..., Any]
    action: str = ""


QUEUE_ROLES = ("coordinator", "leader", "unit", "viewer")


class OpenDeadline(NamedTuple):
    """A deadline a clock found still running, and who answers for it."""

    case_id: int
    deadline: date
    unit_id: int | None  # the unit that answers: the lead unit, or a co-unit for its opinion
    handler_id: int | None  # that unit's 承办人 on the case, when one is named
    leader_id: int | None  # the case's 分管领导, when one is named
    number: str
    title: str


@dataclass(frozen=True)
class Clock:
    """One kind of deadline of a category: the reply, the unit's draft, a co-unit's opinion …

    `find(categories, since, until)` returns the running deadlines of those categories' cases
    that fall on or before `until` and, when `since` is given, on or after it: a few
    set-based queries whatever the number of cases (the morning run asks about every open
    case at once). `of_case(case, span)` returns the same for one case from the rows the
    case page has loaded (no query), with `span` the page's working-day calendar."""

    key: str
    label: str  # 答复期限 …: how the deadline is named in a reminder
    find: Callable[[Sequence[str], date | None, date], Iterable[OpenDeadline]]
    of_case: Callable[[Any, Any], list[OpenDeadline]]


# Whom a step reminds: the handler (承办人) and the head (处室负责人) of the unit that
# answers for the deadline, the leader in charge (分管领导, else every leader), the
# coordinators (办公室).
STEP_ROLES = ("handler", "head", "leader", "coordinator")
# Seed 003's colours: 蓝 approaching, 黄 close or behind, 红 overdue.
STEP_COLOURS = ("blue", "yellow", "red")
# A step further from its deadline than this is a typo (a year has ~250 working days).
STEP_OFFSET_LIMIT = 250
REMINDER_TEMPLATE = "reminders/email/reminder"


@dataclass(frozen=True)
class Step:
    """A rung of the escalation ladder: `offset` working days from a deadline of one of
    `clocks` (-5: five before it, 0: on the day, 3: three after it), remind `who`.

    A `digest` step goes into the recipient's one mail of the day, listing every case,
    instead of a mail per case; a `daily` one (always a digest) recurs on every working
    day from its offset on while the deadline stays open. `template` names the mail of a
    step sent per case (`.txt` and `.html`); the channels are each recipient's own choice
    (notify)."""

    key: str
    label: str  # what the step is, on the case page: 到期前5个工作日提醒 …
    offset: int
    who: frozenset[str]
    clocks: frozenset[str]
    colour: str = "blue"
    digest: bool = False
    daily: bool = False
    template: str = REMINDER_TEMPLATE

    def applies_to(self, clock: str) -> bool:
        return clock in self.clocks

    def fires(self, position: int) -> bool:
        """Whether the step is due for a deadline `position` working days behind (negative:
        still ahead)."""
        return position >= self.offset if self.daily else position == self.offset


def step(key: str, label: str, offset: int, who: Any, clocks: Any, **more: Any) -> Step:
    """Compact constructor, like `t`: roles and clocks as space-separated names."""
    return Step(key=key, label=label, offset=offset, who=names(who), clocks=names(clocks), **more)


@dataclass(frozen=True)
class Page:
    """What a category shows of its own on the case page: `facts` (the header's facts)
    and `details` (the 基本信息 card) are templates included in place of the 议提案's
    (proposer, mode, session …), with `context(case, user)` as `own` in their context."""

    facts: str
    details: str
    context: Callable[..., dict[str, Any]] | None = None


@dataclass(frozen=True)
class Workflow:
    initial: str
    states: dict[str, str]  # code → Chinese label, in display order
    categories: tuple[str, ...] = ()  # the categories that share this workflow
    category: str = ""  # or the one category that has it
    transitions: dict[str, ActionSpec] = field(default_factory=dict)
    # Named groups of states. `running`: the reply deadline runs (overdue is possible);
    # `answered`: the round ended with a reply; `final`: nothing more to do or edit;
    # `uncounted`: left out of the statistics (withdrawn: not ours).
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    colors: Mapping[str, str] = field(default_factory=dict)  # a state's badge colour
    queues: tuple[Queue, ...] = ()
    label: str = ""  # 议提案 …
    # Its kinds of deadline and the reminders' escalation ladder over them.
    clocks: tuple[Clock, ...] = ()
    ladder: tuple[Step, ...] = ()
    # The case page's own parts of the category; none: the 议提案's.
    page: Page | None = None
    # relations(user, case): the user's relations to a case that only this category knows
    # (a list item's 销号审核人), added to the common ones (cases.permissions.relations).
    relations: Callable[..., set[str]] | None = None
    # fields(case, user): what the API's case detail carries of the category's own.
    fields: Callable[..., dict[str, Any]] | None = None
    # kept(case): the ids of the case's attachments no one may remove now (a list item's
    # evidence once its 销号 is asked for or granted); attachments.actions.may_remove.
    kept: Callable[..., set[int]] | None = None

    def __post_init__(self) -> None:
        if not self.categories:
            object.__setattr__(self, "categories", (self.category,))
        object.__setattr__(self, "category", self.categories[0])

    @property
    def actions(self) -> dict[str, ActionSpec]:
        return self.transitions

    @property
    def closed_states(self) -> frozenset[str]:
        """No deadline runs here."""
        return frozenset(self.states) - self.group("running")

    def group(self, name: str) -> frozenset[str]:
        return self.groups.get(name, frozenset())

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def offered(self) -> list[ActionSpec]:
        """The actions a user may be offered, in the table's order."""
        return [spec for spec in self.transitions.values() if not spec.hidden]

    def clock(self, key: str) -> Clock:
        return next(clock for clock in self.clocks if clock.key == key)


_REGISTRY: dict[str, Workflow] = {}
ACTORS = frozenset(Relation.values)


def _check(workflow: Workflow) -> None:
    name = "/".join(workflow.categories)
    if workflow.initial not in workflow.states:
        raise ValueError(f"{name}: unknown initial state {workflow.initial}")
    for spec in workflow.transitions.values():
        unknown = (spec.sources | spec.targets) - workflow.states.keys()
        if unknown:
            raise ValueError(f"{name}.{spec.action}: unknown states {sorted(unknown)}")
        strangers = spec.actors - ACTORS
        if strangers:
            raise ValueError(f"{name}.{spec.action}: unknown actors {sorted(strangers)}")
    for group, states in workflow.groups.items():
        if states - workflow.states.keys():
            raise ValueError(f"{name}: group {group} names unknown states")
    for queue in workflow.queues:
        if queue.role not in QUEUE_ROLES:
            raise ValueError(f"{name}: queue {queue.key} for unknown role {queue.role}")
        if queue.action and queue.action not in workflow.transitions:
            raise ValueError(f"{name}: queue {queue.key} opens unknown action {queue.action}")
    _check_ladder(name, workflow)


def _check_ladder(name: str, workflow: Workflow) -> None:
    clocks = [clock.key for clock in workflow.clocks]
    if len(set(clocks)) != len(clocks):
        raise ValueError(f"{name}: a clock is declared twice")
    steps = [s.key for s in workflow.ladder]
    if len(set(steps)) != len(steps):
        raise ValueError(f"{name}: a ladder step is declared twice")
    for s in workflow.ladder:
        if not s.who or s.who - set(STEP_ROLES):
            raise ValueError(f"{name}: step {s.key} reminds unknown roles {sorted(s.who)}")
        if not s.clocks or s.clocks - set(clocks):
            raise ValueError(f"{name}: step {s.key} follows unknown clocks {sorted(s.clocks)}")
        if s.colour not in STEP_COLOURS:
            raise ValueError(f"{name}: step {s.key} has unknown colour {s.colour}")
        if abs(s.offset) > STEP_OFFSET_LIMIT:
            raise ValueError(f"{name}: step {s.key} is {s.offset} working days from its deadline")
        # A mail per case every day is what the digest is for.
        if s.daily and not s.digest:
            raise ValueError(f"{name}: step {s.key} recurs daily, so it must be a digest")


def register_workflow(workflow: Workflow) -> Workflow:
    _check(workflow)
    for category in workflow.categories:
        _REGISTRY[category] = workflow
    return workflow


def unregister_workflow(category: str) -> None:
    workflow = _REGISTRY.get(category)
    for other in workflow.categories if workflow else (category,):
        _REGISTRY.pop(other, None)


def workflow_for(category: str) -> Workflow:
    try:
        return _REGISTRY[category]
    except KeyError:
        raise LookupError(f"no workflow for category {category!r}") from None


def all_workflows() -> list[Workflow]:
    """Each registered workflow once, in the order they were registered."""
    seen: dict[int, Workflow] = {}
    for workflow in _REGISTRY.values():
        seen.setdefault(id(workflow), workflow)
    return list(seen.values())


def all_actions() -> dict[str, ActionSpec]:
    """Every offered action name of every category, with its (first) spec."""
    found: dict[str, ActionSpec] = {}
    for workflow in all_workflows():
        for spec in workflow.offered():
            found.setdefault(spec.action, spec)
    return found


def states_in(group: str) -> frozenset[str]:
    """The states of `group` across every category (e.g. every `running` state)."""
    found: set[str] = set()
    for workflow in all_workflows():
        found |= workflow.group(group)
    return frozenset(found)


def names(value: str | Iterable[str]) -> frozenset[str]:
    """Space-separated names, or members of the vocabulary."""
    if isinstance(value, str):
        return frozenset(value.split())
    return frozenset(str(v) for v in value)


def t(action: str, label: str, sources: Any, targets: Any, actors: Any, **more: Any) -> ActionSpec:
    """Compact constructor, as in the tables of the category modules."""
    return ActionSpec(
        action=action,
        label=label,
        sources=names(sources),
        targets=names(targets),
        actors=names(actors),
        **more,
    )
