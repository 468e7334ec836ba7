"""The weights of the composite score and the minimum volume: read from the settings,
checked (three parts in 0..1 summing to exactly 1, a whole minimum ≥ 1), printed as written."""

from decimal import Decimal

import pytest

from supervision.weights import WeightsInvalid, check_weights, current_weights

# current_weights reads the console's row first (none here: the settings, else the defaults).
pytestmark = pytest.mark.django_db


def test_the_defaults(settings):
    del settings.HUIYIN_STAR_WEIGHTS  # not set in huiyin/settings.py: the defaults apply
    weights = current_weights()
    assert (weights.quantity, weights.quality, weights.efficiency) == (
        Decimal("0.3"), Decimal("0.4"), Decimal("0.3"),
    )  # fmt: skip
    assert (weights.min_items, weights.origin) == (3, "default")
    assert weights.formula() == "综合得分 = 数量得分×0.3 + 质量得分×0.4 + 效率得分×0.3"


def test_from_the_settings(settings):
    settings.HUIYIN_STAR_WEIGHTS = {"quantity": 0.2, "quality": "0.50", "efficiency": 0.3}
    settings.HUIYIN_STAR_MIN_ITEMS = 5
    weights = current_weights()
    assert weights.as_dict() == {
        "quantity": 0.2, "quality": 0.5, "efficiency": 0.3, "min_items": 5, "origin": "settings",
        "origin_label": "配置文件 HUIYIN_STAR_WEIGHTS",
    }  # fmt: skip
    assert "质量得分×0.5 " in weights.formula()


def test_a_missing_part_takes_its_default():
    weights = check_weights({"quantity": "0.2", "quality": "0.5"}, 3)
    assert weights.efficiency == Decimal("0.3")


@pytest.mark.parametrize(
    ("raw", "minimum", "message"),
    [
        ({"quantity": 0.5, "quality": 0.5, "efficiency": 0.5}, 3, "之和应为1（现为1.5）"),
        ({"quantity": -0.1, "quality": 0.8, "efficiency": 0.3}, 3, "数量权重"),
        ({"quantity": "abc", "quality": 0.7, "efficiency": 0.3}, 3, "数量权重"),
        ({"quantity": True, "quality": 0.7, "efficiency": 0.3}, 3, "数量权重"),
        ({"quantity": "NaN", "quality": 0.7, "efficiency": 0.3}, 3, "数量权重"),
        ({"quantity": "0.33333", "quality": 0.37667, "efficiency": 0.29}, 3, "四位小数"),
        ({"speed": 1}, 3, "未知的权重项"),
        ({}, 0, "最低件数"),
        ({}, "three", "最低件数"),
        ({}, 2.5, "最低件数"),
        ({}, True, "最低件数"),
    ],
)
def test_refused(raw, minimum, message):
    with pytest.raises(WeightsInvalid, match=message.replace("（", r"\（").replace("）", r"\）")):
        check_weights(raw, minimum)


def test_a_weights_setting_that_is_not_a_mapping(settings):
    settings.HUIYIN_STAR_WEIGHTS = [0.3, 0.4, 0.3]
    with pytest.raises(WeightsInvalid, match="三项权重"):
        current_weights()
