"""Numbers written with any signs between their groups, invisible characters inside, or
after a label never reach /disclosure/ unmasked: the list, the detail and the search, the
titles included."""

import pytest

from disclosure import actions
from disclosure.masking import mask_text
from disclosure.tests.helpers import FROZEN, assert_no_personal_numbers, signed, squeezed

MOBILE = "13812345678"
ID = "110101199001011234"

SPELLINGS = [
    "138.1234.5678",
    "138/1234/5678",
    "138_1234_5678",
    "(138)12345678",
    "（138）12345678",
    *(f"138{dash}1234{dash}5678" for dash in "\u2010\u2011\u2012\u2013\u2014\u2212"),
    *(f"138{space}1234{space}5678" for space in "\u2003\u3000\u00a0"),
    "138 \u2014 1234 \u2014 5678",
    # Zero-width and other format characters, between the groups and between digits.
    *(f"138{cf}1234{cf}5678" for cf in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u2061\u180e"),
    "1\u200b3\u200b8\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8",
    "110101.19900101.1234",
    "110101.19900101.123X",
    "110101/19900101/1234",
    "1101\u200b0119\u200b9001\u200b011234",
    "手机号 138.1234.5678",
    "手机号：138/1234/5678",
    "身份证号 110101.19900101.1234",
]


def digits_of(written: str) -> str:
    return "".join(ch for ch in written if ch.isdigit() or ch in "Xx")


@pytest.mark.parametrize("written", SPELLINGS)
def test_each_spelling_is_masked_on_every_public_page(client, cast, written):
    assert digits_of(written) in (MOBILE, ID, ID[:-1] + "X")
    assert squeezed(written).endswith(digits_of(written))  # the check itself would see it
    with FROZEN:
        case = signed(
            cast,
            title=f"关于患者联系方式{written}的建议",
            text=f"经查，患者家属反映的情况属实（{written}），已妥善处理。\n下一步加强管理。",
        )
        found = actions.disclose(case, by=cast.coordinator, mode="full")
    assert "已妥善处理" in found.published_text
    for path in ("/disclosure/", f"/disclosure/{found.pk}/", "/disclosure/?q=患者"):
        html = client.get(path).content.decode()
        assert "关于患者联系方式" in html, path
        assert_no_personal_numbers(html)


@pytest.mark.parametrize(
    "written",
    ["工作时间8:30-12:00、14:30-17:30", "2025年3月1日", "资金1234567890元", "第1、2、3、4、5、6条"],
)
def test_short_numbers_and_dates_stay(written):
    assert mask_text(written) == written


def test_the_safety_net_masks_any_eleven_digits_with_a_few_signs_between():
    out = mask_text("时间2025-03-01 10:30，代码(12)345.678/901，编号12-34-56-78-901")
    assert out == "时间****-**-** **:**，代码(**)***.***/***，编号*******8901"
    # Four signs or more part the groups; a Chinese comma parts them too.
    assert mask_text("12345 ---- 678901") == "12345 ---- 678901"
    assert mask_text("12345，678901") == "12345，678901"
