"""`huiyin stats --verify` compares the summary rows with a full recount and fails on any
difference; `--rebuild` rebuilds them (reports.recount)."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db.models import F

from reports.models import CaseTally, TallyCell
from reports.recount import verify

pytestmark = pytest.mark.django_db


def stats(*args: str) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_verify_passes_on_a_consistent_database(year):
    assert TallyCell.objects.filter(year=year).count() > 3
    assert "统计汇总表与全量重新计数一致" in stats("--verify")


def test_verify_reports_a_tampered_cell_and_exits_non_zero(year, capsys):
    cell = TallyCell.objects.filter(year=year, n__gt=0).order_by("id").first()
    TallyCell.objects.filter(pk=cell.pk).update(n=F("n") + 1)
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("stats", "--verify", stdout=out)
    assert "有 1 处差异" in failed.value.args[0]
    line = out.getvalue()
    assert line.startswith("cells: year=2026") and f"stored {cell.n + 1} (outcomes" in line
    # From the shell (huiyin stats --verify) the difference is an exit status of 1.
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["huiyin", "stats", "--verify"]).execute()
    assert exited.value.code == 1
    assert "有 1 处差异" in capsys.readouterr().err


def test_verify_reports_a_wrong_contribution_of_a_case(year):
    row = CaseTally.objects.filter(year=year, role="lead").order_by("case_id").first()
    CaseTally.objects.filter(pk=row.pk).update(role="co")
    found = verify()
    assert {d.table for d in found} == {"contributions"}
    assert len(found) == 2  # one key too few, one too many


def test_rebuild_repairs_the_summaries_and_says_what_it_did(year):
    before = year_rows(year)
    TallyCell.objects.filter(year=year).update(n=F("n") + 5)
    CaseTally.objects.all().delete()
    assert verify()
    said = stats("--rebuild")
    assert "已重建统计汇总表" in said and "tallycell" in said
    assert verify() == []
    assert year_rows(year) == before


def year_rows(year: int) -> list[tuple]:
    return sorted(
        TallyCell.objects.filter(year=year).exclude(n=0).values_list("level", "state", "n")
    )


def test_rebuild_and_verify_together(year):
    said = stats("--rebuild", "--verify")
    assert "已重建" in said and "一致" in said


def test_the_figures_still_need_a_year(db):
    with pytest.raises(CommandError) as refused:
        call_command("stats")
    assert "--year" in refused.value.args[0]
