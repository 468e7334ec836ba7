"""The case page's action cards: for each action the user may take, its form, the template
made for it and what that template shows beside the form — all read from the action's
spec (workflow.tables.Form, declared in the category's module, e.g. proposals/spec.py).

The form's fields come from the payload model (web.forms); the spec adds the layout,
labels, prefilled values and the facts the user decides on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from cases.models import Case
from huiyin.types import User
from web.forms import Choice, ChoiceSource, PayloadForm
from workflow.tables import ActionSpec, Workflow, workflow_for


@dataclass
class CardInput:
    """What a card's `initial` and `context` functions may read."""

    case: Case
    user: User
    today: date
    data: Any = None  # the user's post, when the card is shown again with it
    # The case page has these already; read when a card needs them and nobody passed them.
    known_proposers: list[Any] | None = None
    known_topics: list[Any] | None = None
    form: PayloadForm | None = None  # set once built
    memo: dict[str, Any] = field(default_factory=dict)  # shared by initial and context

    @property
    def proposers(self) -> list[Any]:
        if self.known_proposers is None:
            links = self.case.proposer_links.select_related("proposer").order_by("position")
            self.known_proposers = list(links)
        return self.known_proposers

    @property
    def topics(self) -> list[Any]:
        if self.known_topics is None:
            self.known_topics = list(self.case.topics.all())
        return self.known_topics

    @property
    def built_form(self) -> PayloadForm:
        assert self.form is not None, "the card's form is built before its context"
        return self.form


@dataclass
class ActionCard:
    action: str
    label: str
    form: PayloadForm | None  # None: a closed card, its form fetched when opened
    template: str
    danger: bool = False
    primary: bool = False  # the step that moves the case on
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def deferred(self) -> bool:
        """Shown closed, its form built when the user opens it (web.views.case_action_card)."""
        return self.form is None


def card_header(action: str, case: Case) -> ActionCard:
    """A closed card: its title and colours from the action's spec, no form. Building a
    form reads the people and units to choose from and renders hundreds of fields: the
    case page builds only the card it shows open (issue 10: 10 ms of a 35 ms page)."""
    spec = workflow_for(case.category).transitions[action]
    return ActionCard(
        action=action,
        label=spec.label,
        form=None,
        template=spec.form.template,
        danger=spec.form.danger,
        primary=spec.primary,
    )


def action_form(
    spec: ActionSpec, inp: CardInput, source: ChoiceSource | None = None
) -> PayloadForm:
    """The action's form, prefilled, or bound to the posted data; nothing else is built."""
    form_spec = spec.form
    # A posted form shows what was posted; only the edit form compares with the initial.
    wanted = inp.data is None or form_spec.only_changed
    initial = form_spec.initial(inp) if form_spec.initial and wanted else {}
    if form_spec.dated:
        initial.setdefault("on", inp.today)
    adjust = form_spec.fields(inp.case) if form_spec.fields else {}
    assert spec.payload is not None
    form = PayloadForm(
        spec.payload,
        action=spec.action,
        label=spec.label,
        source=source or ChoiceSource(inp.case),
        data=inp.data,
        initial=initial,
        only_changed=form_spec.only_changed,
        hidden=set(form_spec.hidden) | set(adjust.get("hidden", ())),
        required=adjust.get("required", ()),
        order=form_spec.order,
        aliases=form_spec.aliases,
        decisions=form_spec.decisions,
        choice_labels=form_spec.choices,
    )
    for name, options in form_spec.options.items():
        if name in form.field:
            form.field[name].widget = "select"
            form.field[name].choices = [Choice(value, label) for value, label in options(inp)]
    if "on" in form.field and form_spec.on_label:
        form.field["on"].label = form_spec.on_label
    for name, (label, help_text) in form_spec.labels.items():
        if name in form.field:
            form.field[name].label = label
            form.field[name].help = help_text or form.field[name].help
    inp.form = form
    return form


def build_card(action: str, inp: CardInput, source: ChoiceSource | None = None) -> ActionCard:
    """The card of one action; bound to `inp.data` when the user's post is shown again."""
    spec = workflow_for(inp.case.category).transitions[action]
    form = inp.form if inp.form is not None else action_form(spec, inp, source)
    extra = spec.form.context(inp) if spec.form.context else {}
    if spec.form.warning:
        extra["warning"] = spec.form.warning
    return replace(card_header(action, inp.case), label=form.label, form=form, extra=extra)


def review_steps(reply: Any, workflow: Workflow) -> list[dict[str, Any]]:
    """The steps a draft went through (its `review` record, keyed by action), with the
    failed gates and remarks named as the action's wording names them."""
    steps = []
    for step, info in (reply.review or {}).items():
        if not isinstance(info, dict):
            continue
        spec = workflow.transitions.get(step)
        names = spec.wording.labels if spec else {}
        remarks = info.get("gate_comments") or {}
        steps.append(
            {
                "label": spec.label if spec else step,
                "approved": info.get("approved"),
                "comment": info.get("comment", ""),
                "failed_gates": [
                    names.get(g, g) for g, ok in (info.get("gates") or {}).items() if not ok
                ],
                "gate_comments": [(names.get(g, g), text) for g, text in remarks.items()],
            }
        )
    return steps
