"""register and edit: the case's own data."""

import copy
import re
from datetime import date
from typing import Any

from django.db import IntegrityError, models, transaction

from audit.record import today
from cases.actions.assign import reply_deadlines
from cases.actions.common import action_date, lock_and_check, require_text
from cases.actions.validation import check_case_text, check_in_window
from cases.filter_choices import forget_filter_choices
from cases.models import Case, CaseProposer, Category, Level, Mode, Proposer, ProposerKind, Topic
from cases.models import Role as CaseRole
from huiyin.dates import year_in_window
from huiyin.types import User
from orgs.access import standing_of
from orgs.models import Role
from workflow.engine import apply_transition, start_case
from workflow.errors import ActionForbidden, CaseError
from workflow.tables import workflow_for
from workflow.vocabulary import Action

PARTIES = ("民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟", "党")
EDITABLE_FIELDS = (
    "level",
    "issuer",
    "year",
    "session",
    "number",
    "title",
    "content",
    "mode",
    "external_lead",
    "topics",
    "led_by",
    "is_key",
    "leader_in_charge",
    "lead_proposer",
    "joint_proposers",
    "received_on",
    "explicit_deadline",
)


def guess_proposer_kind(name: str, category: str) -> str:
    """Collectives are recognised by how their names end; people by the category."""
    if "界" in name and not name.endswith("代表"):
        return ProposerKind.SECTOR
    if "委员会" in name or "专委会" in name or name.endswith("委"):
        if any(p in name for p in PARTIES):
            return ProposerKind.PARTY
        return ProposerKind.COMMITTEE
    if any(name.startswith(p) for p in PARTIES) and len(name) > 3:
        return ProposerKind.PARTY
    return ProposerKind.DEPUTY if category == Category.NPC_SUGGESTION else ProposerKind.MEMBER


def find_or_create_proposer(entry: str | dict[str, Any], category: str) -> Proposer:
    if isinstance(entry, dict):
        name = (entry.get("name") or "").strip()
        kind = entry.get("kind") or guess_proposer_kind(name, category)
        extra = {k: entry[k] for k in ("delegation", "party", "phone") if entry.get(k)}
    else:
        name, kind, extra = (entry or "").strip(), "", {}
        kind = guess_proposer_kind(name, category)
    if not name:
        raise CaseError("提出人姓名不能为空", field="lead_proposer")
    if kind not in ProposerKind.values:
        raise CaseError(f"提出人类型“{kind}”无效", field="lead_proposer")
    proposer, _ = Proposer.objects.get_or_create(name=name, kind=kind, defaults=extra)
    return proposer


def split_names(values: list[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = re.split(r"[、，,；;\s]+", values)
    return [v.strip() for v in values if v and v.strip()]


def _check_choice(value: str, choices: type[models.Choices], field: str, label: str) -> str:
    if value not in choices.values:
        raise CaseError(f"{label}“{value}”无效", field=field)
    return value


def _set_proposers(case: Case, lead: Any, joint: list[Any]) -> None:
    lead_p = find_or_create_proposer(lead, case.category)
    people = [lead_p]
    for entry in joint:
        p = find_or_create_proposer(entry, case.category)
        if p not in people:
            people.append(p)
    case.proposer_links.all().delete()
    CaseProposer.objects.bulk_create(
        CaseProposer(case=case, proposer=p, position=i) for i, p in enumerate(people)
    )


def _set_topics(case: Case, names: list[str]) -> None:
    topics = [
        Topic.objects.get_or_create(name=n[:50])[0] for n in dict.fromkeys(split_names(names))
    ]
    case.topics.set(topics)


def validate_case_fields(data: dict[str, Any]) -> None:
    _check_choice(data["category"], Category, "category", "类别")
    _check_choice(data["level"], Level, "level", "级别")
    _check_choice(data["mode"], Mode, "mode", "办理方式")
    year = data["year"]
    if not isinstance(year, int) or not year_in_window(year):
        raise CaseError(f"年度“{year}”无效", field="year")
    require_text(data["number"], "number", "编号")
    require_text(data["title"], "title", "标题")
    check_case_text(data)
    check_in_window(data.get("received_on"), field="received_on", label="收到日期")
    if data["mode"] == Mode.CO and not (data.get("external_lead") or "").strip():
        raise CaseError("会办件请填写主办单位", field="external_lead")
    received_on = data.get("received_on")
    if received_on and received_on > today():
        raise CaseError("收到日期不能晚于今天", field="received_on")


def _check_unique(data: dict[str, Any], exclude_pk: int | None = None) -> None:
    clash = Case.objects.filter(
        category=data["category"],
        level=data["level"],
        issuer=data.get("issuer") or "",
        year=data["year"],
        number=data["number"],
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise CaseError(f"{data['year']}年已有编号为“{data['number']}”的同类办件", field="number")


def check_registrar(user: User) -> None:
    """Who may register a case: the coordinator. Every entry point asks this before it
    reads the posted case, so a role that may not register gets 403, not a form error."""
    if not standing_of(user).has(Role.COORDINATOR):
        raise ActionForbidden("只有议提案管理员可以登记办件")


@transaction.atomic
def register_case(
    *,
    by: User,
    category: str,
    level: str,
    year: int,
    number: str,
    title: str,
    lead_proposer: str | dict[str, Any],
    mode: str,
    issuer: str = "",
    session: str = "",
    content: str = "",
    joint_proposers: list[Any] | None = None,
    external_lead: str = "",
    topics: list[str] | None = None,
    led_by: str = "",
    is_key: bool = False,
    received_on: date | None = None,
    explicit_deadline: date | None = None,
    leader_in_charge: User | None = None,
) -> Case:
    """登记: create a case in its workflow's initial state."""
    check_registrar(by)
    data = {
        "category": category,
        "level": level,
        "issuer": (issuer or "").strip(),
        "year": year,
        "number": (number or "").strip(),
        "title": (title or "").strip(),
        "mode": mode,
        "external_lead": (external_lead or "").strip(),
        "received_on": received_on,
    }
    validate_case_fields(data)
    _check_unique(data)
    on = received_on or today()
    case = Case(
        **data | {"received_on": on},
        session=(session or "").strip(),
        content=content or "",
        led_by=(led_by or "").strip(),
        is_key=bool(is_key),
        explicit_deadline=explicit_deadline,
        leader_in_charge=leader_in_charge,
        state=workflow_for(category).initial,
        last_action_on=on,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        raise CaseError(f"{year}年已有编号为“{data['number']}”的同类办件", field="number") from None
    _set_proposers(case, lead_proposer, list(joint_proposers or []))
    _set_topics(case, topics or [])
    forget_filter_choices()
    start_case(case, by=by, on=on, details={"number": case.number, "title": case.title})
    return case


def _current_values(case: Case) -> dict[str, Any]:
    links = list(case.proposer_links.select_related("proposer").order_by("position"))
    return {
        **{
            f: getattr(case, f)
            for f in EDITABLE_FIELDS
            if hasattr(Case, f)
            and f not in ("topics", "lead_proposer", "joint_proposers", "leader_in_charge")
        },
        "leader_in_charge": case.leader_in_charge_id,
        "topics": sorted(case.topics.values_list("name", flat=True)),
        "lead_proposer": links[0].proposer.name if links else "",
        "joint_proposers": [link.proposer.name for link in links[1:]],
    }


def _deadlines_after_edit(
    case: Case, diff: dict[str, Any], fields: dict[str, Any]
) -> dict[str, Any]:
    """A new 办理期限 or 办理方式 changes the deadline of an assigned first round (a later
    round or an approved extension has its own date, which the edit leaves alone)."""
    if not ({"explicit_deadline", "mode"} & diff.keys()) or case.assigned_on is None:
        return {}
    if case.round != 1 or case.extension_requests.filter(approved=True).exists():
        return {}
    probe = copy.copy(case)
    probe.explicit_deadline = fields.get("explicit_deadline", case.explicit_deadline)
    probe.mode = fields.get("mode", case.mode)
    probe.role = CaseRole.CO if probe.mode == Mode.CO else CaseRole.LEAD
    rule = "co_opinion" if probe.role == CaseRole.CO else "reply"
    return reply_deadlines(probe, case.assigned_on, rule)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def edit_case(case: Case, *, by: User, on: date | None = None, **fields: Any) -> Case:
    """修改: change the case's data; the event keeps the field diff."""
    lock_and_check(by, case, Action.EDIT)
    on = action_date(case, on)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise CaseError(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = _current_values(case)
    if "leader_in_charge" in fields:
        user = fields["leader_in_charge"]
        fields["leader_in_charge"] = getattr(user, "pk", user)
    if "topics" in fields:
        fields["topics"] = sorted(dict.fromkeys(split_names(fields["topics"])))
    if "joint_proposers" in fields:
        fields["joint_proposers"] = split_names(fields["joint_proposers"])
    diff = {
        k: [_jsonable(before[k]), _jsonable(v)] for k, v in fields.items() if before.get(k) != v
    }
    if not diff:
        raise CaseError("没有修改任何内容")
    merged = {
        f: getattr(case, f)
        for f in ("category", "level", "issuer", "year", "number", "title", "mode", "external_lead")
    }
    merged.update({k: v for k, v in fields.items() if k in merged})
    merged["received_on"] = fields.get("received_on")
    validate_case_fields(merged)
    _check_unique(merged, exclude_pk=case.pk)
    if "received_on" in fields and fields["received_on"] is None:
        raise CaseError("请填写收到日期", field="received_on")
    column_changes = {
        ("leader_in_charge_id" if k == "leader_in_charge" else k): v
        for k, v in fields.items()
        if k in diff and k not in ("topics", "lead_proposer", "joint_proposers")
    }
    column_changes.update(_deadlines_after_edit(case, diff, fields))
    # The links first: the event's signal recomputes what is derived from them (audit.signals).
    if "lead_proposer" in diff or "joint_proposers" in diff:
        _set_proposers(
            case,
            fields.get("lead_proposer", before["lead_proposer"]),
            fields.get("joint_proposers", before["joint_proposers"]),
        )
    if "topics" in diff:
        _set_topics(case, fields["topics"])
    apply_transition(
        case, Action.EDIT, by=by, on=on, details={"diff": diff}, changes=column_changes
    )
    if "topics" in diff or "issuer" in diff:
        forget_filter_choices()
    case.refresh_from_db()
    return case
