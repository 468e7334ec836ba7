"""The private page: 404 for a wrong link, the masked phone, no staff names, the state in
plain words, the answer, and the rating through the link (closes, or reopens on 不满意)."""

import re
from datetime import date

import pytest
from django.core import signing
from django.test import Client

from cases.models import Feedback
from opinions import actions
from opinions.links import token_for
from opinions.models import Opinion
from workflow.vocabulary import State

from .conftest import answered_case, at, receipt_of, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(anon):
    code, path = receipt_of(anon, submit(anon))
    return Opinion.objects.select_related("case").get(code=code), path


def _page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content.decode()[:500]
    return response, response.content.decode()


def test_a_wrong_token_or_code_is_the_public_404(anon, mine):
    opinion, path = mine
    for bad in [
        path[:-3] + "xx/",
        f"/yijian/t/{opinion.code}/{token_for('OTHERCODE1')}/",
        f"/yijian/t/ZZZZZZZZZZ/{token_for('ZZZZZZZZZZ')}/",  # signed, but no such opinion
        f"/yijian/t/{opinion.code}/{'a' * 500}/",
        f"/yijian/t/{'A' * 40}/abc/",
        f"/yijian/t/{opinion.code.lower()}/{token_for(opinion.code)}/",
    ]:
        response, html = _page(anon, bad, 404)
        assert "链接无效" in html
        assert "办件台账" not in html  # the public page, not the staff one
        assert opinion.case.content not in html
        assert response["Referrer-Policy"] == "no-referrer"


def test_the_private_page_masks_the_phone_and_shows_no_name(anon, mine):
    opinion, path = mine
    response, html = _page(anon, path)
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "张三" not in html  # the person's name stays inside
    assert opinion.code in html and opinion.case.number in html
    assert "已受理" in html and "正在分派" in html
    assert "2026年10月13日" in html  # 5 working days from 2026-09-30
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert 'aria-current="step"' in html
    assert "请您评价" not in html


def test_progress_shows_the_unit_name_only(anon, mine, cast):
    opinion, path = mine
    actions.forward(opinion.case, by=cast.leader, lead_unit=cast.yizheng)
    _, html = _page(anon, path)
    assert "已转办" in html and "医政医管处" in html
    for staff in ("李主任", "张处长", "赵科员", "王协调", "leader", "yizheng_clerk"):
        assert staff not in html


def test_the_answer_and_rating_satisfied_closes(anon, mine, cast):
    opinion, path = mine
    answered_case(cast, opinion)
    _, html = _page(anon, path)
    assert "已答复" in html
    assert "已增设两个人工挂号窗口。" in html
    assert "有条件解决" in html
    assert "请您评价" in html
    for label in ("满意", "基本满意", "不满意"):
        assert re.search(rf"<span>{label}</span>", html)
    assert re.search(r"<legend>您对答复的评价", html)
    response = anon.post(path, {"rating": "satisfied", "comment": "很快就解决了，谢谢！"})
    assert response.status_code == 302
    assert response["Location"] == f"{path}?rated=1"
    case = opinion.case
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.feedback_result == "satisfied"
    feedback = Feedback.objects.get(case=case)
    assert feedback.recorded_by is None and feedback.comment == "很快就解决了，谢谢！"
    _, html = _page(anon, response["Location"])
    assert "感谢您的评价" in html
    assert "已办结" in html and "很快就解决了，谢谢！" in html
    assert "请您评价" not in html
    # a second rating is refused without a 500
    again = anon.post(path, {"rating": "unsatisfied"})
    assert again.status_code == 400
    assert Feedback.objects.filter(case=case).count() == 1


def test_rating_unsatisfied_reopens_with_a_new_deadline(anon, mine, cast):
    opinion, path = mine
    answered_case(cast, opinion, result="needs_time")
    _, html = _page(anon, path)
    assert "需要时间解决" in html and "明年一季度上线老年人预约专线。" in html
    assert "2027年3月31日" in html
    response = anon.post(path, {"rating": "unsatisfied", "comment": "还是排长队"})
    assert response.status_code == 302
    case = opinion.case
    case.refresh_from_db()
    assert case.state == State.HANDLING and case.round == 2
    assert case.deadline == date(2026, 10, 13)  # 5 working days from the rating on 9-30
    _, html = _page(anon, response["Location"])
    assert "办理中" in html
    assert "已重新交承办单位办理" in html and "2026年10月13日" in html
    assert "上一次答复" in html
    assert "不满意" in html and "还是排长队" in html
    assert "请您评价" not in html


def test_a_rating_needs_a_choice(anon, mine, cast):
    opinion, path = mine
    answered_case(cast, opinion)
    response = anon.post(path, {"rating": "", "comment": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请选择评价" in html and 'id="id_rating-error"' in html
    response = anon.post(path, {"rating": "wonderful"})
    assert response.status_code == 400
    response = anon.post(path, {"rating": "satisfied", "comment": "坏\x00字符"})
    assert response.status_code == 400 and "控制字符" in response.content.decode()
    opinion.case.refresh_from_db()
    assert opinion.case.state == State.REPLIED


def test_no_rating_before_the_answer(anon, mine):
    opinion, path = mine
    response = anon.post(path, {"rating": "satisfied"})
    assert response.status_code == 400
    assert "当前不能评价" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_callback_rating_shows_without_its_notes(anon, mine, cast):
    opinion, path = mine
    case = answered_case(cast, opinion)
    actions.callback(
        case,
        by=cast.coordinator,
        reached=True,
        rating="basically_satisfied",
        comment="内部：对方语气不好",
    )
    _, html = _page(anon, path)
    assert "基本满意" in html and "电话回访" in html
    assert "内部：对方语气不好" not in html


def test_a_merged_opinion_shows_the_main_ones_progress_and_answer(anon, mine, cast):
    opinion, path = mine
    main_code, main_path = receipt_of(
        anon, submit(anon, content="人民医院挂号排队太久，建议增加窗口。", phone="")
    )
    main = Opinion.objects.get(code=main_code)
    actions.merge(opinion.case, by=cast.coordinator, into=main.case)
    _, html = _page(anon, path)
    assert "已并件" in html and f"已并入 {main.case.number}" in html
    answered_case(cast, main, text="两院区各增设人工窗口三个。")
    _, html = _page(anon, path)
    assert "两院区各增设人工窗口三个。" in html
    assert "已答复" in html
    assert "请您评价" not in html  # the main opinion's person rates it
    assert anon.post(path, {"rating": "satisfied"}).status_code == 400


def test_the_receipt_expires_and_cannot_be_forged(anon, mine):
    _, path = mine
    forged = signing.TimestampSigner(salt="other").sign_object({"c": "X", "p": "/evil"})
    response = anon.get(f"/yijian/ok/?r={forged}")
    assert response.status_code == 404 and "页面已过期" in response.content.decode()
    assert anon.get("/yijian/ok/").status_code == 404
    assert anon.get("/yijian/ok/?r=" + "x" * 5000).status_code == 404


def test_the_receipt_lasts_a_day(anon, clock):
    response = submit(anon)
    with at(date(2026, 10, 1), 10, 1):
        assert anon.get(response["Location"]).status_code == 404


def test_the_private_page_has_a_bounded_post(anon, mine):
    _, path = mine
    response = anon.post(path, {"rating": "satisfied", "comment": "x" * 100_000})
    assert response.status_code == 413


def test_the_link_is_the_rating_forms_protection(mine, cast, clock):
    """No CSRF cookie on the private page (its no-referrer policy makes browsers send
    "Origin: null"): a forged post must know the link's secret, a wrong one is a 404."""
    opinion, path = mine
    answered_case(cast, opinion)
    client = Client(enforce_csrf_checks=True)
    html = client.get(path).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert '<meta name="referrer" content="no-referrer">' in html
    forged = path.rsplit("/", 2)[0] + "/" + "x" * 43 + "/"
    assert client.post(forged, {"rating": "unsatisfied"}).status_code == 404
    opinion.case.refresh_from_db()
    assert opinion.case.state == State.REPLIED
    response = client.post(path, {"rating": "satisfied"}, HTTP_ORIGIN="null")
    assert response.status_code == 302
    opinion.case.refresh_from_db()
    assert opinion.case.state == State.CLOSED
