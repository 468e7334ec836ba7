"""清单事项 through its actions: progress rolled up by weight, 销号 refused without evidence
and accepted with it, refusals going back with their reason, the item's 销号 only after its
measures', 问题反弹, who may do what, and the audit trail (one event per action)."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases.dispatch import available_actions
from cases.models import CaseUnit
from lists import actions, measures
from lists.models import Item, MeasureStatus
from lists.progress import rolled_up
from lists.tests.factories import START, make_item, make_list, pdf
from reminders.tests.conftest import frozen
from workflow.errors import ActionForbidden, CaseError
from workflow.vocabulary import State

pytestmark = pytest.mark.django_db
DAY = date(2026, 4, 1)


@pytest.fixture
def item(cast):
    return make_item(cast, make_list(cast))


def _measures(case):
    return list(Item.objects.get(pk=case.pk).measures.order_by("seq"))


def test_an_item_is_a_case_seen_by_its_units(cast, item):
    assert item.state == State.HANDLING
    assert item.number == "QD2026-01-001"
    units = set(CaseUnit.objects.filter(case=item).values_list("unit_id", flat=True))
    assert units == {cast.yizheng.pk, cast.jiceng.pk}  # the lead unit and a measure's owner
    assert item.leader_in_charge == cast.leader
    assert AuditEvent.objects.filter(case=item).count() == 1


def test_progress_rolls_up_by_weight(cast, item):
    first, second = _measures(item)
    with frozen(DAY):
        measures.report_progress(
            item, by=cast.yizheng_head, measure_id=first.pk, text="方案初稿", percent=50
        )
        measures.report_progress(
            item, by=cast.jiceng_head, measure_id=second.pk, text="招聘中", percent=20
        )
    # (50×1 + 20×3) / 4 = 27
    assert Item.objects.get(pk=item.pk).progress == 27
    first.refresh_from_db()
    assert first.status == MeasureStatus.IN_PROGRESS and first.started_on == DAY


def test_rolled_up_counts_struck_off_as_done(cast, item, settings):
    first, second = _measures(item)
    first.status, first.percent = MeasureStatus.STRUCK_OFF, 40
    second.percent = 0
    assert rolled_up([first, second]) == 25
    settings.HUIYIN_LIST_RULES = {"weighted": False}
    assert rolled_up([first, second]) == 50
    assert rolled_up([], own=35) == 35


def test_a_unit_reports_only_on_its_own_measures(cast, item):
    first, _ = _measures(item)
    with frozen(DAY), pytest.raises(ActionForbidden):
        measures.report_progress(item, by=cast.jiceng_head, measure_id=first.pk, text="越权")
    with frozen(DAY), pytest.raises(ActionForbidden):
        measures.report_progress(item, by=cast.zhongyi_head, text="无关单位")


def test_strike_off_needs_evidence_and_the_reviewer(cast, item):
    first, _ = _measures(item)
    with frozen(DAY), pytest.raises(CaseError, match="佐证材料"):
        measures.submit_measure(item, by=cast.yizheng_head, measure_id=first.pk)
    with frozen(DAY):
        measures.attach_evidence(item, by=cast.yizheng_head, upload=pdf(), measure_id=first.pk)
        measures.submit_measure(item, by=cast.yizheng_head, measure_id=first.pk, note="方案已印发")
    first.refresh_from_db()
    assert first.status == MeasureStatus.SUBMITTED and first.percent == 100
    # The lead unit may not strike off its own measure: the list's owner reviews.
    with frozen(DAY), pytest.raises(ActionForbidden):
        measures.review_measure(item, by=cast.yizheng_head, measure_id=first.pk, approved=True)
    with frozen(DAY), pytest.raises(CaseError, match="理由"):
        measures.review_measure(item, by=cast.coordinator, measure_id=first.pk, approved=False)
    with frozen(DAY):
        measures.review_measure(item, by=cast.coordinator, measure_id=first.pk, approved=True)
    first.refresh_from_db()
    assert first.status == MeasureStatus.STRUCK_OFF and first.struck_off_on == DAY
    assert Item.objects.get(pk=item.pk).progress == 25  # 100×1 / 4


def test_a_refused_strike_off_goes_back_with_its_reason(cast, item):
    first, _ = _measures(item)
    with frozen(DAY):
        measures.report_progress(
            item, by=cast.yizheng_head, measure_id=first.pk, text="推进", percent=60
        )
        measures.attach_evidence(item, by=cast.yizheng_head, upload=pdf(), measure_id=first.pk)
        measures.submit_measure(item, by=cast.yizheng_head, measure_id=first.pk)
        measures.review_measure(
            item, by=cast.coordinator, measure_id=first.pk, approved=False, comment="材料不全"
        )
    first.refresh_from_db()
    assert first.status == MeasureStatus.IN_PROGRESS
    assert first.refused_reason == "材料不全" and first.percent == 60


def _strike_off_all(cast, item, on=DAY):
    with frozen(on):
        for m in _measures(item):
            by = cast.yizheng_head if m.unit_id == cast.yizheng.pk else cast.jiceng_head
            measures.attach_evidence(item, by=by, upload=pdf(), measure_id=m.pk)
            measures.submit_measure(item, by=by, measure_id=m.pk)
            measures.review_measure(item, by=cast.coordinator, measure_id=m.pk, approved=True)


def test_the_item_is_struck_off_after_its_measures_and_can_come_back(cast, item):
    with frozen(DAY), pytest.raises(CaseError, match="未销号"):
        actions.request_strike_off(item, by=cast.yizheng_head, note="整改完成")
    _strike_off_all(cast, item)
    mine = available_actions(cast.yizheng_head, item, DAY)
    assert "request_strike_off" in mine
    with frozen(DAY):
        actions.request_strike_off(item, by=cast.yizheng_head, note="整改完成")
        item.refresh_from_db()
        assert item.state == State.REVIEWING
        actions.strike_off(item, by=cast.coordinator, approved=True)
    item.refresh_from_db()
    assert item.state == State.CLOSED
    assert Item.objects.get(pk=item.pk).struck_off_on == DAY
    with frozen(date(2026, 5, 6)):
        actions.reopen(
            item, by=cast.coordinator, reason="群众反映又出现占线", deadline=date(2026, 8, 31)
        )
    item.refresh_from_db()
    assert item.state == State.HANDLING and item.deadline == date(2026, 8, 31)
    row = Item.objects.get(pk=item.pk)
    assert row.struck_off_on is None and row.completed_on is None
    event = AuditEvent.objects.filter(case=item).latest("id")
    assert event.action == "reopen" and event.details["reason"] == "群众反映又出现占线"


def test_an_item_without_measures_needs_its_own_evidence(cast):
    case = make_item(cast, make_list(cast), measures=[])
    with frozen(DAY):
        measures.report_progress(case, by=cast.yizheng_head, text="已完成", percent=100)
        with pytest.raises(CaseError, match="佐证材料"):
            actions.request_strike_off(case, by=cast.yizheng_head, note="整改完成")
        measures.attach_evidence(case, by=cast.yizheng_head, upload=pdf())
        actions.request_strike_off(case, by=cast.yizheng_head, note="整改完成")
    case.refresh_from_db()
    assert case.state == State.REVIEWING


def test_one_event_per_action(cast, item):
    first, _ = _measures(item)
    before = AuditEvent.objects.filter(case=item).count()
    with frozen(DAY):
        measures.report_progress(
            item, by=cast.yizheng_head, measure_id=first.pk, text="推进", percent=10
        )
    assert AuditEvent.objects.filter(case=item).count() == before + 1


def test_a_case_is_put_on_a_list_and_linked_both_ways(cast):
    from cases.tests.factories import register

    source = register(cast, on=START)
    rect_list = make_list(cast)
    with frozen(DAY):
        created = actions.add_to_list(
            source, by=cast.coordinator, rect_list=rect_list, deadline=date(2026, 9, 30),
            lead_unit=cast.yizheng,
        )  # fmt: skip
    assert Item.objects.get(pk=created.pk).linked_case == source
    assert list(source.list_items.values_list("case_id", flat=True)) == [created.pk]
    with frozen(DAY), pytest.raises(CaseError, match="已列入"):
        actions.add_to_list(
            source, by=cast.coordinator, rect_list=rect_list, deadline=date(2026, 9, 30),
            lead_unit=cast.yizheng,
        )  # fmt: skip


def test_evidence_stays_once_its_strike_off_is_asked_for(cast, item):
    from attachments.actions import remove_attachment
    from lists.models import Evidence

    first, _ = _measures(item)
    with frozen(DAY):
        found = measures.attach_evidence(
            item, by=cast.yizheng_head, upload=pdf(), measure_id=first.pk
        )
        measures.submit_measure(item, by=cast.yizheng_head, measure_id=first.pk)
        with pytest.raises(CaseError, match="不能删除"):
            remove_attachment(found.attachment, by=cast.coordinator)
    # Even were it gone (by the database), the review would refuse to strike it off.
    Evidence.objects.filter(measure=first).delete()
    with frozen(DAY), pytest.raises(CaseError, match="没有佐证材料"):
        measures.review_measure(item, by=cast.coordinator, measure_id=first.pk, approved=True)


def test_who_asks_for_strike_off_does_not_grant_it(cast):
    rect_list = make_list(cast, delegates=[cast.leader])
    case = make_item(cast, rect_list)
    first, _ = _measures(case)
    with frozen(DAY):
        measures.attach_evidence(case, by=cast.coordinator, upload=pdf(), measure_id=first.pk)
        measures.submit_measure(case, by=cast.coordinator, measure_id=first.pk)
        with pytest.raises(ActionForbidden, match="不能审核自己的申请"):
            measures.review_measure(case, by=cast.coordinator, measure_id=first.pk, approved=True)
        measures.review_measure(case, by=cast.leader, measure_id=first.pk, approved=True)
    first.refresh_from_db()
    assert first.status == MeasureStatus.STRUCK_OFF


def test_a_refused_item_goes_back_to_its_reported_percent(cast):
    case = make_item(cast, make_list(cast), measures=[])
    with frozen(DAY):
        measures.report_progress(case, by=cast.yizheng_head, text="大部分完成", percent=70)
        measures.attach_evidence(case, by=cast.yizheng_head, upload=pdf())
        actions.request_strike_off(case, by=cast.yizheng_head, note="整改完成")
        assert Item.objects.get(pk=case.pk).progress == 100
        actions.strike_off(case, by=cast.coordinator, approved=False, comment="还有问题未整改")
    assert Item.objects.get(pk=case.pk).progress == 70


def test_an_item_deadline_cannot_move_before_the_list(cast, item):
    with frozen(DAY), pytest.raises(CaseError, match="早于清单开始日期"):
        actions.edit_item(item, by=cast.coordinator, deadline=date(2026, 1, 5))


def test_a_unit_counts_only_its_own_items(cast, client):
    from django.urls import reverse

    rect_list = make_list(cast)
    make_item(cast, rect_list)  # 医政医管处 (and 基层卫生健康处 for a measure)
    make_item(cast, rect_list, lead_unit=cast.zhongyi, measures=[], title="中医馆服务能力不足")
    client.force_login(cast.jiceng_head)
    with frozen(DAY):
        page = client.get(reverse("lists:index")).content.decode()
    row = page.split(f'data-list="{rect_list.pk}"')[1].split("</tr>")[0]
    assert '<td class="text-end">1</td>' in row  # one item of its own, not the list's two


def test_a_unit_that_no_longer_owns_a_measure_stops_seeing_the_item(cast, item):
    _, second = _measures(item)  # 基层卫生健康处's measure
    with frozen(DAY):
        measures.edit_measure(item, by=cast.coordinator, measure_id=second.pk, unit=cast.zhongyi)
    units = set(CaseUnit.objects.filter(case=item).values_list("unit_id", flat=True))
    assert units == {cast.yizheng.pk, cast.zhongyi.pk}
    # A named 协办处室 keeps its part when its measure moves away.
    case = make_item(cast, make_list(cast, name="另一清单"), co_units=[cast.jiceng])
    _, second = _measures(case)
    with frozen(DAY):
        measures.edit_measure(case, by=cast.coordinator, measure_id=second.pk, unit=cast.zhongyi)
    assert CaseUnit.objects.filter(case=case, unit=cast.jiceng).exists()
