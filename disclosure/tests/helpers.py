"""Signed cases whose replies are full of personal data, for the disclosure tests."""

import html as html_lib
import re
import unicodedata
from datetime import date
from typing import Any

import time_machine

from cases.models import Case
from cases.tests.factories import Cast
from letters.tests.helpers import walk

TODAY = date(2026, 6, 15)
FROZEN = time_machine.travel(TODAY, tick=False)

TITLE = "关于解决患者刘大海（电话13812345678）医疗费用问题的建议"
REPLY = """陈代表：
　　您提出的《关于改善基层就医条件的建议》收悉。经调查，您反映的患者张三（身份证号330102198001011234，手机139 1234 5678）于2025年3月在市第一医院住院，住院号ZY20250301，床号：12，现已出院。
　　其家属李四住在解放路123号4栋2单元501室，电话0571-87654321，身份证33010219800101123X，我委已派员上门回访。
　　下一步，我委将加快推进基层医疗卫生服务能力提升工程。
　　联系人：赵科员　　联系电话：０５７１－８５５５１２３４"""
SECRETS = ("张三", "李四", "刘大海", "赵科员", "13812345678", "1391234", "5678 ", "330102",
           "19800101", "ZY20250301", "123号", "87654321", "85551234", "８５５５")  # fmt: skip


def signed(cast: Cast, *, text: str = REPLY, title: str = TITLE, **kw: Any) -> Case:
    """A case of 2026 with a signed class-A reply (signed 2026-05-25); call inside FROZEN."""
    return walk(cast, reply_class="A", text=text, title=title, **kw)


MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}")
ID_SHAPE = re.compile(r"\d{17}[\dXx]")
# Between two digits: up to three signs that are not letters, digits, Han characters, the
# Chinese sentence punctuation or a tag's brackets (a run of spaces counts as one).
_SIGN = r"(?:\s+|[^\w\s、，。；：！？“”‘’《》〈〉「」『』【】〔〕<>]|_)"
_BETWEEN = re.compile(rf"(?<=\d){_SIGN}{{1,3}}(?=[\dXx])")


def squeezed(text: str) -> str:
    """The text with the signs between digits taken out (138.1234.5678 → 13812345678)."""
    text = "".join(ch for ch in html_lib.unescape(text) if unicodedata.category(ch) != "Cf")
    return _BETWEEN.sub("", text)


def assert_no_personal_numbers(html: str) -> None:
    for text in (html, squeezed(html)):
        assert not MOBILE_SHAPE.search(text), MOBILE_SHAPE.search(text)
        assert not ID_SHAPE.search(text), ID_SHAPE.search(text)
