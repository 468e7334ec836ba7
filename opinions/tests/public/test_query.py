"""The lookup: tracking code + the phone's last four digits → the private page; a
generic refusal; per-address challenge; a per-code lock against trying all 10,000."""

import pytest
from django.test import Client

from opinions.links import private_path
from opinions.models import Opinion

from .conftest import receipt_of, solve, submit

pytestmark = pytest.mark.django_db
QUERY = "/yijian/query/"


@pytest.fixture
def mine(anon):
    code, _ = receipt_of(anon, submit(anon, phone="0635-8881234"))
    return Opinion.objects.get(code=code)


def test_the_query_page(anon):
    response = anon.get(QUERY)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_code">查询码' in html
    assert '<label class="form-label" for="id_digits">联系电话后四位' in html
    assert 'inputmode="numeric"' in html
    # a CSRF-protected form: with no-referrer the browser would send "Origin: null"
    assert response["Referrer-Policy"] == "same-origin"
    assert 'content="no-referrer"' not in html
    assert 'name="robots" content="noindex' in html


def test_code_and_digits_lead_to_the_private_page(anon, mine):
    response = anon.post(QUERY, {"code": mine.code, "digits": "1234"})
    assert response.status_code == 302
    assert response["Location"] == private_path(mine)
    # typed loosely: lower case, spaces
    loose = f" {mine.code[:5].lower()} {mine.code[5:].lower()} "
    assert anon.post(QUERY, {"code": loose, "digits": "1234"})["Location"] == private_path(mine)


@pytest.mark.parametrize(
    ("code", "digits", "message"),
    [
        (None, "4321", "查询码或电话号码后四位不正确"),
        ("ABCDEFGHJK", "1234", "查询码或电话号码后四位不正确"),
        (None, "12a4", "请填写4位数字"),
        (None, "123", "请填写4位数字"),
        ("", "1234", "请填写查询码"),
        ("<script>", "1234", "查询码由字母和数字组成"),
        ("AB\x00CD", "1234", "控制字符"),
    ],
)
def test_refusals(anon, mine, code, digits, message):
    response = anon.post(QUERY, {"code": mine.code if code is None else code, "digits": digits})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_opinion_without_a_phone_cannot_be_looked_up(anon):
    code, _ = receipt_of(anon, submit(anon, phone=""))
    response = anon.post(QUERY, {"code": code, "digits": "0000"})
    assert response.status_code == 400


def test_past_the_address_rate_a_question_is_asked(anon, mine, settings):
    settings.HUIYIN_PUBLIC_RATE_QUERY = "2/hour"
    for _ in range(2):
        assert anon.post(QUERY, {"code": mine.code, "digits": "0000"}).status_code == 400
    html = anon.get(QUERY).content.decode()
    assert "验证问题：" in html
    response = anon.post(QUERY, {"code": mine.code, "digits": "1234"})
    assert response.status_code == 200 and "验证问题：" in response.content.decode()
    html = response.content.decode()
    response = anon.post(QUERY, {"code": mine.code, "digits": "1234", **solve(html)})
    assert response.status_code == 302
    wrong = {**solve(anon.get(QUERY).content.decode()), "challenge_answer": "999"}
    response = anon.post(QUERY, {"code": mine.code, "digits": "1234", **wrong})
    assert response.status_code == 400 and "验证问题回答不正确" in response.content.decode()


def test_one_code_locks_after_its_failures_from_anywhere(mine, settings, clock):
    settings.HUIYIN_PUBLIC_RATE_CODE_FAILURES = "3/day"
    for n in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert client.post(QUERY, {"code": mine.code, "digits": f"000{n}"}).status_code == 400
    # now even the right digits, from a fresh address, do not open it
    client = Client(REMOTE_ADDR="198.51.100.99")
    response = client.post(QUERY, {"code": mine.code, "digits": "1234"})
    assert response.status_code == 400
    assert "私密链接" in response.content.decode()
    # the private link still works
    assert client.get(private_path(mine)).status_code == 200
