"""Rate limits per address and per phone, the challenge past them (pass, fail, 429),
and the real client address behind trusted proxies."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from huiyin.sealed import phone_index
from opinions.models import Opinion
from opinions.public import challenge, ratelimit

from .conftest import DAY, NEW, at, form_data, receipt_of, solve, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.HUIYIN_PUBLIC_RATE_PER_ADDRESS = "2/hour"
    settings.HUIYIN_PUBLIC_RATE_PER_PHONE = "2/day"
    settings.HUIYIN_PUBLIC_RATE_CHALLENGE_FAILURES = "3/hour"


# --- the rates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "seconds"),
    [
        ("5/hour", 5, 3600),
        ("3/day", 3, 86400),
        ("10/minute", 10, 60),
        ("20/600s", 20, 600),
        (" 7 / 2h ", 7, 7200),
    ],
)
def test_rates_parse(text, limit, seconds):
    assert ratelimit.parse_rate(text) == ratelimit.Rate(limit, seconds)


@pytest.mark.parametrize("text", ["", "five/hour", "5/fortnight", "0/hour", "5", "5/0s"])
def test_a_bad_rate_fails_loudly(text):
    with pytest.raises(ImproperlyConfigured):
        ratelimit.parse_rate(text)


def test_defaults_when_unset(settings):
    for name in ("HUIYIN_PUBLIC_RATE_PER_ADDRESS", "HUIYIN_PUBLIC_RATE_PER_PHONE"):
        if hasattr(settings, name):
            delattr(settings, name)
    assert ratelimit.rate_for("address") == ratelimit.Rate(5, 3600)
    assert ratelimit.rate_for("phone") == ratelimit.Rate(3, 86400)


# --- the client address ---------------------------------------------------------------------


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/yijian/", **meta)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # no trusted proxies: the header is the client's word, ignored
        ([], "198.51.100.1", "1.2.3.4", "198.51.100.1"),
        # the peer is not trusted: ignored too
        (["10.0.0.1"], "198.51.100.1", "1.2.3.4", "198.51.100.1"),
        # behind our proxy: the right-most untrusted hop, not the left-most the client wrote
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        # two trusted hops (a CIDR), then the client
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),
        # ports and IPv6 as proxies write them
        (["10.0.0.1"], "10.0.0.1", "203.0.113.5:4711", "203.0.113.5"),
        (["10.0.0.1"], "10.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
        # every hop trusted: the left-most
        (["10.0.0.0/8"], "10.0.0.1", "10.0.0.9", "10.0.0.9"),
        # no header behind the proxy: the proxy itself
        (["10.0.0.1"], "10.0.0.1", None, "10.0.0.1"),
        # garbage where the proxy should have written an address: the last hop known
        (["10.0.0.1"], "10.0.0.1", "203.0.113.5, not-an-ip", "10.0.0.1"),
        # IPv4-mapped IPv6 peer, trusted by its IPv4
        (["10.0.0.1"], "::ffff:10.0.0.1", "203.0.113.5", "203.0.113.5"),
    ],
)
def test_client_address(settings, trusted, remote, forwarded, expected):
    settings.HUIYIN_TRUSTED_PROXIES = trusted
    assert ratelimit.client_address(_request(remote, forwarded)) == expected


def test_a_garbage_remote_addr_is_none(settings):
    settings.HUIYIN_TRUSTED_PROXIES = []
    assert ratelimit.client_address(_request("")) is None
    assert ratelimit.address_key(None) == "unknown"


def test_a_bad_trusted_proxy_entry_is_logged_and_left_out(settings, caplog):
    settings.HUIYIN_TRUSTED_PROXIES = ["10.0.0.300", "10.0.0.1"]
    assert ratelimit.client_address(_request("10.0.0.1", "203.0.113.5")) == "203.0.113.5"
    settings.HUIYIN_TRUSTED_PROXIES = ["10.0.0.300"]
    assert ratelimit.client_address(_request("10.0.0.300", "203.0.113.5")) is None
    assert ratelimit.client_address(_request("10.0.0.3", "203.0.113.5")) == "10.0.0.3"
    assert "10.0.0.300" in caplog.text


def test_trusted_proxies_as_a_string(settings):
    settings.HUIYIN_TRUSTED_PROXIES = "10.0.0.1, 10.0.1.0/24"
    assert ratelimit.client_address(_request("10.0.1.9", "203.0.113.5, 10.0.0.1")) == "203.0.113.5"


def test_a_malformed_rate_setting_is_logged_and_the_default_used(settings, caplog):
    settings.HUIYIN_PUBLIC_RATE_PER_ADDRESS = "lots"
    assert ratelimit.rate_for("address") == ratelimit.Rate(5, 3600)
    assert "HUIYIN_PUBLIC_RATE_PER_ADDRESS" in caplog.text


def test_ipv6_is_counted_per_64():
    assert ratelimit.address_key("2001:db8:1:2:aaaa::1") == ratelimit.address_key(
        "2001:db8:1:2:bbbb::9"
    )
    assert ratelimit.address_key("2001:db8:1:2::1") != ratelimit.address_key("2001:db8:1:3::1")


# --- per address ----------------------------------------------------------------------------


def test_past_the_address_rate_the_form_asks_a_question(anon, tight):
    for phone in ("13800000001", "13800000002"):
        receipt_of(anon, submit(anon, phone=phone))
    page = anon.get(NEW)
    assert "验证问题" in page.content.decode()
    blocked = submit(anon, phone="13800000003")
    assert blocked.status_code == 200
    html = blocked.content.decode()
    assert "提交得比较频繁" in html and "验证问题：" in html
    assert "13800000003" in html  # what was typed is kept
    assert Opinion.objects.count() == 2
    # the right answer lets this one submission through
    code, _ = receipt_of(anon, anon.post(NEW, {**form_data(phone="13800000003"), **solve(html)}))
    assert Opinion.objects.filter(code=code, phone_index=phone_index("13800000003")).exists()
    # and the next one is asked again
    assert "验证问题：" in submit(anon, phone="13800000004").content.decode()


def test_a_wrong_answer_is_a_400_and_saves_nothing(anon, tight):
    for phone in ("13800000001", "13800000002"):
        receipt_of(anon, submit(anon, phone=phone))
    html = submit(anon, phone="13800000003").content.decode()
    answer = solve(html)
    answer["challenge_answer"] = str(int(answer["challenge_answer"]) + 1)
    response = anon.post(NEW, {**form_data(phone="13800000003"), **answer})
    assert response.status_code == 400
    text = response.content.decode()
    assert "验证问题回答不正确" in text
    assert 'id="id_challenge_answer-error"' in text
    assert Opinion.objects.count() == 2
    # a token is good for one try: the right answer with the spent token fails too
    right = solve(html)
    again = anon.post(NEW, {**form_data(phone="13800000003"), **right})
    assert again.status_code == 400
    assert Opinion.objects.count() == 2


def test_repeated_wrong_answers_end_in_429(anon, tight):
    for phone in ("13800000001", "13800000002"):
        receipt_of(anon, submit(anon, phone=phone))
    html = submit(anon).content.decode()
    statuses = []
    for _ in range(3):
        wrong = {**solve(html), "challenge_answer": "999"}
        response = anon.post(NEW, {**form_data(), **wrong})
        statuses.append(response.status_code)
        html = response.content.decode()
    assert statuses == [400, 400, 429]  # the third wrong answer uses up 3/hour
    assert "尝试次数过多" in html
    assert response["Retry-After"] == "3600"
    # now even a right answer is refused until the hour is over
    response = anon.post(NEW, {**form_data(), "challenge_token": "x", "challenge_answer": "1"})
    assert response.status_code == 429
    assert Opinion.objects.count() == 2
    assert anon.get(NEW).status_code == 429
    # another address is not affected
    assert Client(REMOTE_ADDR="198.51.100.20").get(NEW).status_code == 200


def test_an_invalid_form_keeps_the_question_and_does_not_spend_it(anon, tight):
    for phone in ("13800000001", "13800000002"):
        receipt_of(anon, submit(anon, phone=phone))
    html = submit(anon).content.decode()
    response = anon.post(NEW, {**form_data(email="bad"), **solve(html)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "正确的电子邮箱" in html and "验证问题：" in html
    assert "验证问题回答不正确" not in html
    assert ratelimit.count("challenge_failures", "203.0.113.7") == 0
    receipt_of(anon, anon.post(NEW, {**form_data(), **solve(html)}))
    assert Opinion.objects.count() == 3


def test_an_expired_challenge_fails(anon, tight):
    for phone in ("13800000001", "13800000002"):
        receipt_of(anon, submit(anon, phone=phone))
    html = submit(anon).content.decode()
    with at(DAY, 10, 11):  # 11 minutes later: past the 10-minute token
        response = anon.post(NEW, {**form_data(), **solve(html)})
    assert response.status_code == 400
    assert Opinion.objects.count() == 2


def test_the_database_counts_what_another_process_saved(anon, tight):
    for phone in ("13800000001", "13800000002"):
        receipt_of(anon, submit(anon, phone=phone))
    cache.clear()  # as if another web process, with its own local-memory cache, answered
    assert "验证问题：" in submit(anon, phone="13800000003").content.decode()
    assert Opinion.objects.count() == 2


def test_the_window_passes(anon, tight):
    for phone in ("13800000001", "13800000002"):
        receipt_of(anon, submit(anon, phone=phone))
    with at(DAY, 11, 5):
        receipt_of(anon, submit(anon, phone="13800000003"))


def test_a_honeypot_hit_counts_against_the_address(anon, tight):
    submit(anon, website="spam")
    submit(anon, website="spam")
    assert "验证问题：" in submit(anon).content.decode()
    assert not Opinion.objects.exists()


# --- per phone ------------------------------------------------------------------------------


def test_one_phone_from_many_addresses(clock, tight):
    for n in (1, 2):
        client = Client(REMOTE_ADDR=f"198.51.100.{n}")
        receipt_of(client, submit(client, phone="139-0000-1111" if n == 1 else "13900001111"))
    third = Client(REMOTE_ADDR="198.51.100.3")
    response = submit(third, phone="139 0000 1111")
    assert "验证问题：" in response.content.decode()
    assert Opinion.objects.count() == 2
    # another phone from that address goes through
    receipt_of(third, submit(third, phone="13900002222"))
    # and the challenge lets the phone's third one through
    html = submit(third, phone="13900001111").content.decode()
    receipt_of(third, third.post(NEW, {**form_data(phone="13900001111"), **solve(html)}))
    assert Opinion.objects.filter(phone_index=phone_index("13900001111")).count() == 3


# --- behind a reverse proxy -----------------------------------------------------------------


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(clock, tight, settings):
    settings.HUIYIN_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for n in (1, 2):
        response = proxy.post(
            NEW, form_data(phone=f"1380000000{n}"), HTTP_X_FORWARDED_FOR="203.0.113.50"
        )
        receipt_of(proxy, response)
    assert Opinion.objects.filter(client_address="203.0.113.50").count() == 2
    blocked = proxy.post(NEW, form_data(phone="13800000003"), HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert "验证问题：" in blocked.content.decode()
    other = proxy.post(NEW, form_data(phone="13800000004"), HTTP_X_FORWARDED_FOR="203.0.113.51")
    receipt_of(proxy, other)


def test_an_untrusted_forwarded_header_is_ignored(clock, tight, settings):
    settings.HUIYIN_TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="198.51.100.77")
    for n in (1, 2):
        response = client.post(
            NEW, form_data(phone=f"1380000000{n}"), HTTP_X_FORWARDED_FOR=f"1.1.1.{n}"
        )
        receipt_of(client, response)
    assert set(Opinion.objects.values_list("client_address", flat=True)) == {"198.51.100.77"}
    # a new made-up header does not buy a new budget
    response = client.post(NEW, form_data(phone="13800000003"), HTTP_X_FORWARDED_FOR="1.1.1.99")
    assert "验证问题：" in response.content.decode()


# --- the challenge itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "words"), [(0, "零"), (7, "七"), (10, "十"), (12, "十二"), (20, "二十"), (38, "三十八")]
)
def test_chinese_numbers(n, words):
    assert challenge.chinese_number(n) == words
    assert challenge.parse_answer(words) == n
    assert challenge.parse_answer(str(n)) == n


def test_answers_as_people_type_them():
    assert challenge.parse_answer("１２") == 12  # full-width digits
    assert challenge.parse_answer(" 12 ") == 12
    assert challenge.parse_answer("一十二") == 12
    assert challenge.parse_answer("") is None
    assert challenge.parse_answer("twelve") is None
    assert challenge.parse_answer("1" * 50) is None


def test_a_challenge_checks_once(clock):
    found = challenge.new_challenge()
    html = f'name="challenge_token" value="{found.token}" 验证问题：{found.question}'
    right = solve(html)["challenge_answer"]
    assert challenge.check(found.token, right)
    assert not challenge.check(found.token, right)  # spent


def test_a_tampered_or_junk_token_fails(clock):
    found = challenge.new_challenge()
    assert not challenge.check(found.token[:-2] + "xx", "1")
    assert not challenge.check("", "1")
    assert not challenge.check("x" * 5000, "1")
    assert not challenge.check("abc:def:ghi", "1")
    # the token does not hold the answer in the clear
    assert found.question not in found.token


def test_the_phone_counter_is_keyed_by_its_blind_index_not_the_number(anon):
    """A database or file cache keeps its keys in clear: no phone digits in them."""
    receipt_of(anon, submit(anon, phone="138-0000-0009"))
    keys = [str(k) for k in cache._cache]  # type: ignore[attr-defined]  # LocMemCache
    phone_keys = [k for k in keys if ":rate:phone:" in k]
    assert phone_keys and all(k.endswith(phone_index("13800000009")) for k in phone_keys)
    assert not any("13800000009" in k for k in keys)
    assert ratelimit.phone_key("138 0000 0009") == ratelimit.phone_key("１３８０００００００９")
    assert ratelimit.count("phone", ratelimit.phone_key("13800000009")) == 1
