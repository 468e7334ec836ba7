"""opinions.similar: open opinions by the same phone or a similar text (never closed or
merged ones, never the opinion itself, from a bounded set of candidates), and the
near-duplicate groups of an import batch."""

import csv
import random
import time

import pytest

from opinions import actions, similar
from opinions.areas import SAMPLE_PATH
from opinions.similar import group_near_duplicates, similar_open, text_scores

pytestmark = pytest.mark.django_db

PARKING = "人民医院停车太难了，建议增加停车位"
PARKING_AGAIN = "人民医院停车难，希望多建一些停车位"
UNRELATED = "村卫生室的医生经常不在岗，看病找不到人"


def test_the_same_phone_is_found_whatever_the_text(clock, opinion):
    first = opinion("医保报销比例太低", phone="13812341234")
    other = opinion("别的号码说的事", phone="13900000000")
    found = similar_open(text="完全不同的一件事：护士态度不好", phone="138 1234-1234")
    assert found == [first.pk]
    assert other.pk not in found


def test_a_reworded_report_is_found_and_an_unrelated_one_is_not(clock, opinion):
    parking = opinion(PARKING)
    opinion(UNRELATED)
    assert similar_open(text=PARKING_AGAIN) == [parking.pk]
    assert similar_open(text="我想咨询一下新生儿疫苗接种的时间安排") == []


def test_the_threshold_separates_rewordings_from_neighbours():
    # Re-worded reports of one matter score above the threshold …
    for one, other in [
        (PARKING, PARKING_AGAIN),
        ("村卫生室的医生经常不在，看病找不到人", UNRELATED),
        ("护士态度差", "护士的态度太差了"),
        (
            "市妇幼保健院产科护士态度恶劣，对产妇大呼小叫",
            "妇幼保健院产科的护士对产妇态度很差，大呼小叫的",
        ),
    ]:
        assert text_scores(one, [other])[0] >= similar.SIMILAR_THRESHOLD, (one, other)
    # … different opinions that share words do not.
    for one, other in [
        ("医保报销比例太低了，住一次院自己要掏一大半。", "社区卫生服务中心能不能开展夜间门诊？"),
        (
            "我们社区老人多，希望社区卫生服务中心开展家庭病床。",
            "社区卫生服务中心能不能开展夜间门诊？",
        ),
        (PARKING, "人民医院的护士态度太差了"),
    ]:
        assert text_scores(one, [other])[0] < similar.SIMILAR_THRESHOLD, (one, other)


def test_few_different_opinions_of_the_sample_pass_the_threshold():
    with SAMPLE_PATH.open(encoding="utf-8", newline="") as handle:
        sample = [row["text"] for row in csv.DictReader(handle)]
    above = 0
    for i in range(0, len(sample), 10):  # 62 texts against all the others: 37,000 pairs
        others = sample[:i] + sample[i + 1 :]
        above += sum(s >= similar.SIMILAR_THRESHOLD for s in text_scores(sample[i], others))
    assert above <= 4


def test_closed_merged_and_the_opinion_itself_are_left_out(clock, cast, opinion):
    main = opinion(PARKING, phone="13812341234")
    duplicate = opinion(PARKING, phone="13812341234")
    closed = opinion(PARKING, phone="13812341234")
    actions.merge(duplicate, by=cast.coordinator, into=main)
    actions.forward(closed, by=cast.leader, lead_unit=cast.yizheng)
    from cases.actions import accept_case

    accept_case(closed, by=cast.yizheng_head)
    actions.answer(closed, by=cast.yizheng_head, text="已增加车位", result="solvable")
    actions.callback(closed, by=cast.coordinator, reached=True, rating="satisfied")
    closed.refresh_from_db()
    assert closed.state == "closed"
    found = similar_open(text=PARKING_AGAIN, phone="13812341234", exclude_id=main.pk)
    assert found == []
    assert similar_open(text=PARKING_AGAIN, phone="13812341234") == [main.pk]


def test_same_phone_first_then_by_similarity_and_at_most_limit(clock, opinion):
    texts = [PARKING, PARKING + "！", PARKING_AGAIN, "人民医院停车太难，停车位太少"]
    made = [opinion(t) for t in texts]
    by_phone = opinion("与停车无关的事情：挂号排队太久", phone="13700000000")
    found = similar_open(text=PARKING, phone="13700000000", limit=3)
    assert found[0] == by_phone.pk
    assert len(found) == 3
    assert found[1] == made[0].pk  # the identical text is the most similar


def test_the_candidates_are_the_most_recent_open_opinions(clock, opinion, monkeypatch):
    old = opinion(PARKING)
    for i in range(3):
        opinion(f"第{i}件：社区卫生服务中心能不能开展夜间门诊")
    assert similar_open(text=PARKING_AGAIN) == [old.pk]
    monkeypatch.setattr(similar, "CANDIDATES", 3)
    assert similar_open(text=PARKING_AGAIN) == []


def test_two_queries_whatever_the_number_of_opinions(clock, opinion, django_assert_max_num_queries):
    opinion(PARKING, phone="13812341234")
    with django_assert_max_num_queries(2):
        similar_open(text=PARKING_AGAIN, phone="13812341234")


def test_empty_text_and_no_phone_find_nothing(clock, opinion):
    opinion(PARKING)
    assert similar_open(text="") == []
    assert similar_open(text="。。。", limit=0) == []


# --- near-duplicates in a batch ----------------------------------------------------------


def test_near_duplicates_are_grouped():
    texts = [
        "医院停车难",  # 0
        "完全不同的一句话内容",  # 1
        "医院停车太难！",  # 2: Jaccard 0.5 with 0
        "医院停车难。",  # 3: equal to 0 after normalisation
        "",  # 4: nothing to compare
        "无",  # 5
        "无",  # 6: short, but equal
        "好",  # 7
        "门诊挂号排队时间太长，建议增加自助挂号机。",  # 8
        "门诊挂号排队时间太长了，建议增加自助挂号机",  # 9
    ]
    assert group_near_duplicates(texts) == [[0, 2, 3], [5, 6], [8, 9]]


def test_short_texts_are_grouped_only_when_equal():
    assert group_near_duplicates(["很好", "很好。", "不好"]) == [[0, 1]]


def _batch(size: int, seed: int = 7) -> list[str]:
    with SAMPLE_PATH.open(encoding="utf-8", newline="") as handle:
        sample = [row["text"] for row in csv.DictReader(handle)]
    rnd = random.Random(seed)
    places = "市一院 人民医院 中心医院 妇幼保健院 县医院 镇卫生院 社区 村里".split()
    texts = []
    for i in range(size):
        text = rnd.choice(sample)
        if rnd.random() < 0.7:
            text = f"{rnd.choice(places)}{text}{i}"
        texts.append(text)
    return texts


def test_near_duplicates_of_30000_texts_in_a_few_seconds():
    texts = _batch(30_000)
    started = time.perf_counter()
    groups = group_near_duplicates(texts)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, f"{elapsed:.1f} s"
    # The batch repeats 611 sample texts: most rows have near-duplicates.
    assert sum(len(g) for g in groups) > 25_000
    grouped = {i for g in groups for i in g}
    assert all(sorted(g) == g for g in groups)
    assert len(grouped) == sum(len(g) for g in groups)  # each index in one group only
