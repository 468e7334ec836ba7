"""The area suggestion (issue 12): macro-F1 on a fixed held-out split of the sample and on a file
written in another style that is never trained on; always one of the seven codes."""

import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import train_test_split

from opinions import areas

UNSEEN_PATH = Path(__file__).resolve().parent / "data" / "areas_unseen.csv"
SPLIT_SEED = 12
HELD_OUT_SHARE = 0.25


def report(name: str, gold: list[str], predicted: list[str]) -> float:
    """Print macro-F1 and the confusion matrix (rows: true area, columns: suggested)."""
    score = f1_score(gold, predicted, labels=list(areas.AREA_CODES), average="macro")
    matrix = confusion_matrix(gold, predicted, labels=list(areas.AREA_CODES))
    width = max(len(code) for code in areas.AREA_CODES) + 1
    print(f"\n{name}: macro-F1 {score:.3f} on {len(gold)} opinions")
    print(" " * width + "".join(f"{code[:5]:>6}" for code in areas.AREA_CODES))
    for code, row in zip(areas.AREA_CODES, matrix, strict=True):
        print(f"{code:<{width}}" + "".join(f"{count:>6}" for count in row))
    return float(score)


def test_the_sample_is_large_balanced_and_apart_from_the_unseen_file() -> None:
    sample = areas.load_sample()
    unseen = areas.load_sample(UNSEEN_PATH)
    per_area = Counter(area for area, _ in sample)
    assert len(sample) >= 350
    assert set(per_area) == set(areas.AREA_CODES)
    assert min(per_area.values()) >= 50
    assert all(10 <= len(text) <= 150 for _, text in sample)
    texts = [text for _, text in sample]
    assert len(set(texts)) == len(texts)
    assert len(unseen) >= 70
    assert set(area for area, _ in unseen) == set(areas.AREA_CODES)
    assert not {areas.normalise(t) for t in texts} & {areas.normalise(t) for _, t in unseen}


def test_macro_f1_on_the_fixed_held_out_split() -> None:
    sample = areas.load_sample()
    texts = [areas.normalise(text) for _, text in sample]
    labels = [area for area, _ in sample]
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=HELD_OUT_SHARE, stratify=labels, random_state=SPLIT_SEED
    )
    pipeline = areas.build_pipeline()
    started = time.perf_counter()
    pipeline.fit(train_x, train_y)
    print(f"\ntrained on {len(train_x)} opinions in {time.perf_counter() - started:.2f} s")
    predicted = [str(code) for code in pipeline.predict(test_x)]
    assert report("held-out split", test_y, predicted) >= 0.80


def test_macro_f1_on_opinions_written_in_another_style() -> None:
    started = time.perf_counter()
    rows = areas.train()
    print(
        f"\ntrained on the whole sample ({rows} opinions) in {time.perf_counter() - started:.2f} s"
    )
    unseen = areas.load_sample(UNSEEN_PATH)
    predicted = areas.suggest_areas(text for _, text in unseen)
    assert report("unseen file", [area for area, _ in unseen], predicted) >= 0.75


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t\u3000",
        "12345",
        "１２３４５",
        "😀👍🏥",
        "。。。！！",
        "asdf qwer",
        "啊" * 10_000,
    ],
)
def test_junk_is_other(text: str) -> None:
    assert areas.suggest_area(text) == areas.OTHER


@pytest.mark.parametrize(
    "text",
    [
        "医院挂号排队" * 2_000,
        "村卫生室没有药" + "😀" * 5_000,
        "ＡＰＰ　挂号　总是　闪退",
        "游泳池的水太脏了 \x00\ufeff",
    ],
)
def test_any_text_gets_one_of_the_seven_codes(text: str) -> None:
    assert areas.suggest_area(text) in areas.AREA_CODES


def test_plain_cases_and_width_do_not_matter() -> None:
    assert areas.suggest_area("小区楼下有个黑诊所无证行医，请卫生监督部门查处") == "enforcement"
    assert areas.suggest_area("ＡＰＰ挂号总是闪退") == areas.suggest_area("app挂号总是闪退")
    assert areas.suggest_area("医保   报销比例太低") == areas.suggest_area("医保报销比例太低")


def test_suggest_areas_keeps_the_order_and_matches_suggest_area() -> None:
    texts = ["", "医生态度太差，排队三个小时", "医保报销比例太低了", "😀"]
    assert areas.suggest_areas(texts) == [areas.suggest_area(text) for text in texts]
    assert areas.suggest_areas([]) == []


def test_labels_live_in_one_place() -> None:
    assert areas.AREA_CODES == (
        "talent",
        "primary",
        "digital",
        "service",
        "management",
        "enforcement",
        "other",
    )
    assert areas.AREA_LABELS["primary"] == "基层卫生服务能力"
    assert areas.AREA_LABELS["other"] == "其他"


def test_train_adds_confirmed_rows_and_rejects_unknown_codes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(areas, "_model", None)  # restored after the test
    novel = "喵喵机器又坏了"
    before = areas.suggest_area(novel)
    target = "enforcement" if before != "enforcement" else "talent"
    confirmed = [(target, f"喵喵机器{suffix}") for suffix in ("又坏了", "还是坏的", "不能用")]
    assert areas.train(confirmed) == len(areas.load_sample()) + len(confirmed)
    assert areas.suggest_area(novel) == target
    with pytest.raises(ValueError, match="unknown area 'nonsense'"):
        areas.train([("nonsense", "随便写点什么")])
    assert areas.suggest_area(novel) == target  # a failed retraining replaces nothing


def test_the_first_use_trains_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(areas, "_model", None)
    calls: list[int] = []
    fit = areas._fit

    def counting_fit(rows: list[tuple[str, str]]) -> object:
        calls.append(len(rows))
        return fit(rows)

    monkeypatch.setattr(areas, "_fit", counting_fit)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(areas.suggest_area("乡镇卫生院连个B超都没有"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 8 and len(set(results)) == 1
    assert results[0] in areas.AREA_CODES
