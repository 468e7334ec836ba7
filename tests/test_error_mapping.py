"""The one error hierarchy (huiyin.errors) and its mapping at each entry point other than
the API (api/tests/test_errors.py): management commands and web pages."""

import contextlib
import importlib
import io
from unittest import mock

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.management import ManagementUtility
from django.core.management.base import CommandError
from django.db import connections
from django.http import Http404

from cases.deadline_rules import RuleSettingError, RuleSettingForbidden
from huiyin.commands import EXIT_CONFLICT, command_error, domain_errors
from huiyin.errors import Conflict, DomainError, Forbidden, NotFound
from orgs.actions import OrgError, OrgForbidden
from transfer.errors import ImportFileError
from transfer.planning import UNKNOWN_UNIT, ImportPlan, RowError, plan_import
from transfer.tests.helpers import basic_file, basic_row
from web.errors import web_error
from workdays.errors import CalendarError
from workflow.errors import ActionForbidden, CaseError, StaleCase, UnknownAction

# The hierarchy


@pytest.mark.parametrize(
    ("cls", "base", "status"),
    [
        (CaseError, DomainError, 400),
        (ActionForbidden, Forbidden, 403),
        (UnknownAction, NotFound, 404),
        (StaleCase, Conflict, 409),
        (OrgError, DomainError, 400),
        (OrgForbidden, Forbidden, 403),
        (RuleSettingError, DomainError, 400),
        (RuleSettingForbidden, Forbidden, 403),
        (CalendarError, DomainError, 400),
        (ImportFileError, DomainError, 400),
    ],
)
def test_every_old_error_class_is_a_kind_of_domain_error(cls, base, status):
    exc = cls("消息")
    assert isinstance(exc, base) and isinstance(exc, DomainError)
    assert (exc.status, exc.message, exc.field, str(exc)) == (status, "消息", None, "消息")


def test_the_app_bases_still_catch_their_forbidden_kinds_and_only_their_own():
    assert issubclass(ActionForbidden, CaseError)
    assert issubclass(StaleCase, CaseError) and issubclass(UnknownAction, CaseError)
    assert issubclass(OrgForbidden, OrgError) and issubclass(RuleSettingForbidden, RuleSettingError)
    assert not issubclass(OrgError, CaseError) and not issubclass(CaseError, OrgError)
    assert not issubclass(CalendarError, CaseError)


def test_field_and_code_are_kept():
    exc = OrgError("请填写单位名称", field="name")
    assert (exc.field, exc.code) == ("name", "refused")
    assert CaseError("x", code="no_reply").code == "no_reply"
    assert (Forbidden("x").code, NotFound("x").code, Conflict("x").code) == (
        "forbidden",
        "not_found",
        "conflict",
    )
    assert CalendarError("日历无效").field is None  # its old one-argument form still works


# Management commands


@pytest.mark.parametrize(
    ("exc", "returncode"),
    [
        (CaseError("不能签发"), 1),
        (ActionForbidden("只有议提案管理员可以导入台账"), 1),
        (NotFound("没有"), 1),
        (CalendarError("日历无效"), 1),
        (StaleCase("该办件刚被他人办理"), EXIT_CONFLICT),
    ],
)
def test_a_domain_error_becomes_a_command_error_with_its_exit_status(exc, returncode):
    error = command_error(exc)
    assert isinstance(error, CommandError)
    assert (str(error), error.returncode) == (exc.message, returncode)
    with pytest.raises(CommandError) as raised, domain_errors():
        raise exc
    assert (str(raised.value), raised.value.returncode) == (exc.message, returncode)


def test_other_exceptions_pass_through_domain_errors():
    with pytest.raises(KeyError), domain_errors():
        raise KeyError("x")


def _run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with (
        mock.patch.object(connections, "close_all"),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(err),
    ):
        try:
            ManagementUtility(["huiyin", *argv]).execute()
            status = 0
        except SystemExit as exc:
            status = exc.code or 0
    return status, err.getvalue()


@pytest.mark.django_db
def test_a_command_exits_with_the_status_of_the_domain_error(cast, tmp_path, monkeypatch):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(basic_file(basic_row("1")))
    stale = StaleCase("该办件刚被他人办理，状态已变化，请刷新后重试")
    module = importlib.import_module("transfer.management.commands.import-cases")
    monkeypatch.setattr(module, "apply_import", mock.Mock(side_effect=stale))
    status, err = _run("import-cases", str(path), "--user", "coordinator")
    assert (status, err) == (EXIT_CONFLICT, f"CommandError: {stale.message}\n")


@pytest.mark.django_db
def test_the_unknown_unit_hint_follows_the_error_code_not_its_text(cast):
    data = basic_file(basic_row("1", 承办处室="规划处", 交办日期="2026-03-05"))
    plan = plan_import(data, "台账.xlsx", user=cast.coordinator)
    assert [e.code for e in plan.errors] == [UNKNOWN_UNIT]
    assert plan.has_unknown_units
    worded_alike = ImportPlan("x.xlsx", header_errors=[RowError(1, "", "系统中没有单位“规划处”")])
    assert not worded_alike.has_unknown_units


# Web pages


class _Sink:
    """A form in the web's PayloadForm manner: add_error(field or None, message)."""

    def __init__(self) -> None:
        self.errors: list[tuple[str | None, str]] = []

    def add_error(self, name: str | None, message: str) -> None:
        self.errors.append((name, message))


class _UnitForm(forms.Form):
    name = forms.CharField(required=False)
    n_municipal = forms.IntegerField(required=False)


def test_web_forbidden_is_permission_denied_and_not_found_is_404():
    for exc in (ActionForbidden("您没有签发此办件的权限"), OrgForbidden("只有系统管理员可以")):
        with pytest.raises(PermissionDenied, match=exc.message):
            web_error(exc, _Sink())
    with pytest.raises(Http404, match="没有这项操作"):
        web_error(UnknownAction("没有这项操作"), _Sink())


def test_web_refusal_goes_beside_its_field_and_the_page_answers_400():
    sink = _Sink()
    assert web_error(CaseError("请选择主办处室", field="lead_unit"), sink) == 400
    assert web_error(CaseError("办件当前为“已登记”，不能签发"), sink) == 400
    assert sink.errors == [("lead_unit", "请选择主办处室"), (None, "办件当前为“已登记”，不能签发")]


def test_web_conflict_is_shown_like_a_refusal_with_409():
    sink = _Sink()
    assert web_error(StaleCase("该办件刚被他人办理"), sink) == 409
    assert sink.errors == [(None, "该办件刚被他人办理")]


def test_web_refusal_on_a_django_form():
    form = _UnitForm(data={"name": ""})
    assert form.is_valid()
    assert web_error(OrgError("请填写单位名称", field="name"), form) == 400
    assert web_error(OrgError("排序应为整数", field="sort_order"), form) == 400
    renamed = {"municipal": "n_municipal"}
    assert web_error(RuleSettingError("应在 1 到 24 个月之间", field="municipal"), form, renamed)
    assert form.errors["name"] == ["请填写单位名称"]
    assert form.errors["n_municipal"] == ["应在 1 到 24 个月之间"]
    assert form.non_field_errors() == ["排序应为整数"]


def test_web_refusal_without_a_form_only_answers_the_status():
    assert web_error(CalendarError("日历无效")) == 400
