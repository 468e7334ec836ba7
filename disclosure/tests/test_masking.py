"""Masking on realistic Chinese text: what a reply letter or a proposal actually holds."""

import random
import re

import pytest

from disclosure.masking import fold, mask, mask_text

MOBILE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")


def assert_clean(text: str) -> None:
    squeezed = re.sub(r"[ \u00a0\u3000\-–—]", "", text)
    for shape in (MOBILE_SHAPE, ID_SHAPE):
        assert not shape.search(text), text
        assert not shape.search(squeezed), squeezed


# --- phone numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "8613812345678",
        "008613812345678",
        "１３８１２３４５６７８",  # full-width
        "１３８－１２３４－５６７８",
        "138—1234—5678",
    ],
)
def test_a_mobile_number_in_any_spelling_is_masked_to_its_ends(written):
    out = mask(f"患者家属反映，联系电话{written}，请尽快回复。")
    assert "138****5678" in out.text
    assert "1234" not in out.text
    assert_clean(out.text)
    assert [s.kind for s in out.spans] == ["mobile"]


def test_landlines_with_an_area_code_and_numbers_after_a_phone_label():
    out = mask(
        "办公室电话：0571-87654321，传真(0571)87654322，热线 0571 8765 4323 转 802；"
        "联系电话：8765 4321。"
    )
    assert "87654321" not in out.text and "8765 4321" not in out.text
    assert "0571-********" in out.text
    assert "联系电话：***" in out.text
    assert {s.kind for s in out.spans} == {"phone"}


def test_years_amounts_and_document_numbers_stay():
    text = (
        "根据《关于做好全国人大代表建议办理工作的通知》（国办发〔2014〕46号），2023年我市投入"
        "资金1234567890元，新建村卫生室35个，2019—2023年共培训2000人次，第3号建议已办结。"
    )
    assert mask_text(text) == text


# --- ID numbers and long numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "330102198001011234",  # a wrong check digit is still an ID number
        "33010219800101123X",
        "33010219800101123x",
        "330102 19800101 1234",
        "３３０１０２１９８００１０１１２３Ｘ",
    ],
)
def test_an_18_digit_id_number_is_masked_whatever_its_check_digit(number):
    out = mask(f"患者身份证{number}，现住院治疗。")
    assert "19800101" not in out.text.replace(" ", "")
    assert_clean(out.text)
    assert "id_number" in {s.kind for s in out.spans}


def test_an_old_15_digit_id_and_long_numbers_keep_no_shape_of_their_own():
    out = mask(
        "旧身份证号110105491231002，银行卡号6222 0212 3456 7890 123，社保卡6222021234567890123，"
        "编号 12345678901234567X。"
    )
    assert "110105491231002" not in out.text
    assert "491231" not in out.text
    assert "3456 7890" not in out.text
    assert_clean(out.text)


def test_labelled_record_numbers_lose_their_value():
    out = mask(
        "住院号：ZY2023001234，病案号 BA-778812，门诊号为MZ0099，床号：12，身份证号：ABC123。"
    )
    assert out.text == "住院号：***，病案号 ***，门诊号为***，床号：***，身份证号：***。"


# --- beds, addresses, e-mail ----------------------------------------------------------------


def test_bed_numbers_are_masked_but_hospital_sizes_stay():
    out = mask(
        "患者住心内科3床，后转至12号床；ICU 7床。医院建成500床规模，新增床位300张，300张床。"
    )
    assert "*床" in out.text and "*号床" in out.text
    assert "3床" not in out.text and "12号床" not in out.text and "7床" not in out.text
    assert "500床规模" in out.text and "床位300张" in out.text and "300张床" in out.text


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("住在解放路123号4栋2单元501室", "住在解放路***"),
        ("家住幸福小区3幢1单元302", "家住幸福小区***"),
        ("XX县城关镇建设街12号院", "XX县城关镇建设街***"),
        ("家住东风村5组12号", "家住东风村***"),
        ("住在7栋3单元602室", "住在***"),
        ("住中山路12号1-302", "住中山路***"),
    ],
)
def test_an_address_keeps_its_road_or_village_and_loses_the_house(written, published):
    assert mask_text(written) == published


def test_e_mail_addresses_keep_their_first_letter_and_domain():
    assert mask_text("请发送至 zhang.san@163.com 或 13812345678@qq.com") == (
        "请发送至 z***@163.com 或 1***@qq.com"
    )


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("患者张三反映就医难", "患者张某反映就医难"),
        ("患者王建国于3月住院", "患者王建国于3月住院".replace("王建国", "王某某")),
        ("患儿李明明确诊为白血病", "患儿李某某确诊为白血病"),
        ("家属：欧阳明月", "家属：欧阳某某"),
        ("村民刘大海一家生活困难", "村民刘某某一家生活困难"),
        ("联系人：赵科员　联系电话：12345678", "联系人：赵某某　联系电话：***"),
        ("姓名：陈小红，性别女", "姓名：陈某某，性别女"),
        ("感谢张三同志的建议", "感谢张某同志的建议"),
        ("向王建国同志表示感谢", "向王某某同志表示感谢"),
        ("孙丽华女士反映", "孙某某女士反映"),
        ("我们看望了周德明老人", "我们看望了周某某老人"),
        ("患者王磊男，45岁", "患者王某男，45岁"),
    ],
)
def test_private_persons_names_in_their_contexts_keep_only_the_surname(written, published):
    assert mask_text(written) == published


@pytest.mark.parametrize(
    "text",
    [
        "患者张某某反映，患者李某称",  # already anonymised
        "市民王先生来电，患者家属李女士表示感谢",  # a surname alone names nobody
        "高血压患者、艾滋病患者、白血病患者和高龄老人的管理",  # words, not names
        "老人陈述了情况，患者康复出院，群众满意",
        "党员同志要带头，有关同志参加",
        "陈代表提出的建议，李主任批示，张处长带队调研",  # deputies and officials
        "市人大代表王建国建议加强基层人才队伍建设",
        "患者及家属、居民健康档案、村民委员会、职工医保",
    ],
)
def test_names_outside_those_contexts_and_common_words_stay(text):
    assert mask_text(text) == text


# --- a whole reply ----------------------------------------------------------------------------

REPLY = """陈代表：
　　您提出的《关于改善基层就医条件的建议》收悉。经调查，您反映的患者张三（身份证号330102198001011234，手机13912345678）于2025年3月在市第一医院住院，住院号ZY20250301，床号：12，现已出院。
　　其家属李四住在解放路123号4栋2单元501室，电话0571-87654321，邮箱lisi@example.com，我委已派员上门回访，向李四先生说明了有关政策。
　　市民王先生反映的问题，我委已会同有关部门研究解决。
　　联系人：赵科员　　联系电话：0571-85551234"""


def test_a_whole_reply_is_masked_and_says_what_it_masked():
    out = mask(REPLY)
    for secret in ("张三", "李四", "赵科员", "330102", "13912345678", "ZY20250301",
                   "123号", "87654321", "lisi@", "85551234"):  # fmt: skip
        assert secret not in out.text, secret
    assert "陈代表：" in out.text and "王先生" in out.text  # the deputy; a surname alone
    assert "解放路***" in out.text
    assert_clean(out.text)
    kinds = [s.kind for s in out.spans]
    assert kinds.count("name") == 4  # 张三, 李四 twice, 赵科员
    assert {"id_number", "mobile", "medical", "address", "phone", "email"} <= set(kinds)
    assert out.count == len(out.spans)
    # The spans point at the masked parts of the published text.
    for span in out.spans:
        assert "*" in out.text[span.start : span.end] or "某" in out.text[span.start : span.end]
    assert "".join(s.text for s in out.segments()) == out.text
    assert "\n".join("".join(s.text for s in line) for line in out.lines()) == out.text


def test_full_width_digits_are_read_as_ascii_and_chinese_punctuation_stays():
    assert fold("电话：１３８，（全角）") == "电话：138，（全角）"
    assert mask_text("") == ""


def test_masking_twice_changes_nothing_more():
    once = mask_text(REPLY)
    assert mask_text(once) == once


def test_random_texts_full_of_numbers_never_publish_a_mobile_or_an_id_shape():
    rng = random.Random(15)
    pieces = ["，", "。", " ", "-", "号", "床", "路", "患者", "电话", "X", "年", "\n", "—"]
    for _ in range(400):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.6:
                parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20))))
            else:
                parts.append(rng.choice(pieces))
        text = "".join(parts)
        assert_clean(mask_text(text))


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("病人王建国住院治疗", "病人王某某住院治疗"),
        ("孕妇李红于3月入院", "孕妇李某于3月入院"),
        ("产妇陈静，28岁", "产妇陈某，28岁"),
        ("患儿家长刘大海来电", "患儿家长刘某某来电"),
        ("患者家属王丽表示感谢", "患者家属王某表示感谢"),
        ("当事人赵明辉反映", "当事人赵某某反映"),
        ("患者张三丰、李四光反映", "患者张某某、李某某反映"),
        ("患者王五、赵六、孙七等三人", "患者王某、赵某、孙某等三人"),
        ("患者张三和李四称", "患者张某和李某称"),
        ("家属：欧阳明月、司马光", "家属：欧阳某某、司马某"),
    ],
)
def test_more_contexts_and_every_name_of_an_enumeration(written, published):
    assert mask_text(written) == published


@pytest.mark.parametrize(
    "text",
    [
        "患者张某和王主任交谈",
        "患者张某与医院协商",
        "患者及家属、居民健康档案",
        "孕妇学校、产妇保健",
    ],
)
def test_an_enumeration_stops_at_a_word_or_a_title(text):
    assert mask_text(text) == text


def test_format_characters_are_dropped_and_any_digit_is_read():
    assert mask_text("联系\u200b人\u2060：\ufeff李\u200d四") == "联系人：李某"
    assert mask_text("电话١٣٨١٢٣٤٥٦٧٨") == "电话138****5678"  # Arabic-Indic digits
