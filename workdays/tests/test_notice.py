import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from workdays import calendar
from workdays.errors import CalendarError
from workdays.models import CalendarOverride, ConfirmedYear
from workdays.notice import NamedHoliday, parse_notice

# The items of the real notices (国办发明电〔2025〕7号 and 〔2024〕12号), verbatim.
ITEMS_2026 = (
    "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。"
    "2月14日（周六）、2月28日（周六）上班。"
    "三、清明节：4月4日（周六）至6日（周一）放假，共3天。"
    "四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。"
    "五、端午节：6月19日（周五）至21日（周日）放假，共3天。"
    "六、中秋节：9月25日（周五）至27日（周日）放假，共3天。"
    "七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。"
    "9月20日（周日）、10月10日（周六）上班。"
)
ITEMS_2025 = (
    "一、元旦：1月1日（周三）放假1天，不调休。"
    "二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。"
    "1月26日（周日）、2月8日（周六）上班。"
    "三、清明节：4月4日（周五）至6日（周日）放假，共3天。"
    "四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。"
    "五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。"
    "六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。"
    "9月28日（周日）、10月11日（周六）上班。"
)
CLOSING = (
    "节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，"
    "要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。"
)


def notice(year: int, items: str, signed: str) -> str:
    return (
        f"国务院办公厅关于{year}年部分节假日安排的通知\n"
        f"国办发明电〔{year - 1}〕7号\n"
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
        f"　　经国务院批准，现将{year}年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节"
        "放假调休日期的具体安排通知如下。\n"
        + "".join(f"　　{line}。\n" for line in items.rstrip("。").split("。"))
        + f"　　{CLOSING}\n国务院办公厅\n{signed}\n"
    )


NOTICE_2026 = notice(2026, ITEMS_2026, "2025年11月4日")
NOTICE_2025 = notice(2025, ITEMS_2025, "2024年11月12日")


def official(year: int) -> tuple[set[date], set[date]]:
    """chinesecalendar's statutory holidays and make-up working days of `year`."""
    off = {day for day in chinese_calendar.holidays if day.year == year}
    on = {day for day in chinese_calendar.workdays if day.year == year}
    assert off and on
    return off, on


def split(days: dict[date, bool]) -> tuple[set[date], set[date]]:
    return {d for d, flag in days.items() if not flag}, {d for d, flag in days.items() if flag}


# --- parse_notice ---------------------------------------------------------------------


@pytest.mark.parametrize(("year", "text"), [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_real_notices_match_chinesecalendar(year: int, text: str) -> None:
    result = parse_notice(text)
    assert result.year == year
    off, on = split(result.days)
    assert (off, on) == official(year)
    assert all(not chinese_calendar.is_workday(day) for day in off)
    assert all(chinese_calendar.is_workday(day) for day in on)
    assert list(result.days) == sorted(result.days)


def test_2026_holidays() -> None:
    assert parse_notice(NOTICE_2026).holidays == [
        NamedHoliday("元旦", date(2026, 1, 1), date(2026, 1, 3), 3),
        NamedHoliday("春节", date(2026, 2, 15), date(2026, 2, 23), 9),
        NamedHoliday("清明节", date(2026, 4, 4), date(2026, 4, 6), 3),
        NamedHoliday("劳动节", date(2026, 5, 1), date(2026, 5, 5), 5),
        NamedHoliday("端午节", date(2026, 6, 19), date(2026, 6, 21), 3),
        NamedHoliday("中秋节", date(2026, 9, 25), date(2026, 9, 27), 3),
        NamedHoliday("国庆节", date(2026, 10, 1), date(2026, 10, 7), 7),
    ]


def test_2025_holidays_single_day_and_cross_month() -> None:
    holidays = parse_notice(NOTICE_2025).holidays
    assert holidays[0] == NamedHoliday("元旦", date(2025, 1, 1), date(2025, 1, 1), 1)
    assert holidays[1] == NamedHoliday("春节", date(2025, 1, 28), date(2025, 2, 4), 8)
    assert holidays[4] == NamedHoliday("端午节", date(2025, 5, 31), date(2025, 6, 2), 3)
    assert holidays[5] == NamedHoliday("国庆节、中秋节", date(2025, 10, 1), date(2025, 10, 8), 8)


def test_items_only_with_year_argument() -> None:
    assert parse_notice(ITEMS_2026, 2026).days == parse_notice(NOTICE_2026).days
    assert parse_notice(NOTICE_2026, 2026).days == parse_notice(NOTICE_2026).days


def test_tolerant_of_layout_and_character_width() -> None:
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    text = "国务院办公厅关于 ２０２６ 年部分节假日\r\n安排的通知\n\n" + ITEMS_2026.translate(
        full_width
    ).replace("（", "(").replace("）", ")").replace("：", ":\n  ").replace("，", ", ").replace(
        "。", "。\r\n"
    ).replace("月", " 月\u3000").replace("至", "\n至\n").replace("上班", "上\n班")
    assert parse_notice(text).days == parse_notice(NOTICE_2026).days


def test_2024_wording_星期_与周末连休_鼓励() -> None:
    # The 2024 notice wrote 星期X, left out 共N天 for 元旦 and 端午, and advised a day off
    # on 除夕 that is not a statutory holiday.
    text = (
        "国务院办公厅关于2024年部分节假日安排的通知\n"
        "一、元旦：1月1日放假，与周末连休。\n"
        "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。"
        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。\n"
        "三、清明节：4月4日至6日放假调休，共3天。4月7日（星期日）上班。\n"
        "四、劳动节：5月1日至5日放假调休，共5天。4月28日（星期日）、5月11日（星期六）上班。\n"
        "五、端午节：6月10日放假，与周末连休。\n"
        "六、中秋节：9月15日至17日放假调休，共3天。9月14日（星期六）上班。\n"
        "七、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。\n"
    )
    assert split(parse_notice(text).days) == official(2024)


def test_unnumbered_items_with_known_names() -> None:
    text = "元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    assert parse_notice(text, 2026).days == {
        date(2026, 1, 1): False,
        date(2026, 1, 2): False,
        date(2026, 1, 3): False,
        date(2026, 1, 4): True,
    }


HEAD = "国务院办公厅关于2026年部分节假日安排的通知\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "未找到节假日安排"),
        ("  \n\u3000\n", "未找到节假日安排"),
        ("经国务院批准，现将2026年元旦放假安排通知如下。", "未找到节假日安排"),
        ("Lorem ipsum dolor sit amet", "未找到节假日安排"),
        (HEAD + "一、元旦：放假几天待定。", "元旦：无法识别“放假几天待定”"),
        (
            HEAD + "一、劳动节：5月1日至5日放假调休，共5天。5月9日（周六）加班。",
            "劳动节：无法识别“5月9日（周六）加班”",
        ),
        (
            HEAD + "一、劳动节：5月1日至5日放假，共5天。另行通知。二、端午节：6月19日放假。",
            "劳动节：无法识别“另行通知”",
        ),
        (HEAD + "一、元旦：", "元旦：没有放假日期"),
        (HEAD + "一、劳动节：5月32日至6月3日放假。", "“5月32日”不是有效日期"),
        (HEAD + "一、春节：2月30日放假。", "“2月30日”不是有效日期"),
        (HEAD + "一、元旦：13月1日放假。", "“13月1日”不是有效日期"),
        (
            HEAD + "一、元旦：1月1日（周三）放假1天。",
            "“1月1日（周三）”与实际星期不符：2026年1月1日是周四",
        ),
        (
            HEAD + "一、元旦：1月1日至3日（周日）放假。",
            "“3日（周日）”与实际星期不符：2026年1月3日是周六",
        ),
        (
            HEAD + "一、元旦：1月1日放假。1月4日（星期六）上班。",
            "“1月4日（星期六）”与实际星期不符：2026年1月4日是周日",
        ),
        (
            HEAD + "一、国庆节：10月1日至7日放假调休，共8天。",
            "“10月1日至7日放假调休，共8天”天数不符：2026年10月1日至7日共7天",
        ),
        (HEAD + "一、元旦：1月1日放假2天。", "“1月1日放假2天”天数不符：2026年1月1日共1天"),
        (HEAD + "一、元旦：12月31日至1月2日放假。", "“12月31日至1月2日”跨年"),
        (HEAD + "一、元旦：1月5日至3日放假。", "“1月5日至3日”结束日期早于开始日期"),
        (
            HEAD + "一、元旦：2025年12月31日至2026年1月2日放假。",
            "“2025年12月31日”不在2026年内",
        ),
        (HEAD + "一、元旦：1日至3日放假。", "“1日”缺少月份"),
        (
            HEAD + "一、元旦：1月1日放假1天，不调休。1月4日上班。",
            "元旦写明“不调休”，却又安排了上班日",
        ),
        (
            HEAD + "一、劳动节：5月1日至5日放假。4月29日上班。",
            "“4月29日”是周三，本来就是工作日，不能作为调休上班日",
        ),
        (
            HEAD + "一、中秋节：10月1日至3日放假。二、国庆节：10月3日至7日放假。",
            "与“中秋节”重复：2026年10月3日已安排为放假",
        ),
        (
            HEAD + "一、元旦：1月1日放假。三、春节：2月15日至23日放假。",
            "条目编号不连续：“一、”之后是“三、”",
        ),
        ("一、元旦：1月1日放假。", "无法确定年份"),
        (
            "国务院办公厅关于2025年部分节假日安排的通知\n" + ITEMS_2026,
            "“1月1日（周四）”与实际星期不符：2025年1月1日是周三",
        ),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(CalendarError) as caught:
        parse_notice(text)
    assert message in caught.value.message


def test_year_argument_must_agree_with_title() -> None:
    with pytest.raises(CalendarError, match="通知标题中的年份是2026年，与指定的2025年不符"):
        parse_notice(NOTICE_2026, 2025)


def test_text_after_the_last_item_may_not_set_days() -> None:
    with pytest.raises(CalendarError, match="国庆节：无法识别“另外10月11日也上班”"):
        parse_notice(NOTICE_2026.replace(CLOSING, "另外10月11日也上班。"))


# --- import-holidays ------------------------------------------------------------------

LINES_2026 = [
    "2026-01-01 休",
    "2026-01-02 休",
    "2026-01-03 休",
    "2026-01-04 班",
    "2026-02-14 班",
    *(f"2026-02-{d} 休" for d in range(15, 24)),
    "2026-02-28 班",
    "2026-04-04 休",
    "2026-04-05 休",
    "2026-04-06 休",
    *(f"2026-05-0{d} 休" for d in range(1, 6)),
    "2026-05-09 班",
    "2026-06-19 休",
    "2026-06-20 休",
    "2026-06-21 休",
    "2026-09-20 班",
    "2026-09-25 休",
    "2026-09-26 休",
    "2026-09-27 休",
    *(f"2026-10-0{d} 休" for d in range(1, 8)),
    "2026-10-10 班",
]


@pytest.fixture
def notice_file(tmp_path: Path) -> Path:
    path = tmp_path / "2026.txt"
    path.write_text(NOTICE_2026, encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("import-holidays", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_dry_run_prints_days_and_writes_nothing(notice_file: Path, calendar_signals) -> None:
    lines = run("--notice", str(notice_file), "--dry-run").splitlines()
    assert lines[:-1] == LINES_2026
    assert lines[-1] == "试运行：2026 年 7 个节假日，休 33 天，班 6 天，未写入。"
    assert not CalendarOverride.objects.exists()
    assert not ConfirmedYear.objects.exists()
    assert not AuditEvent.objects.exists()
    assert calendar_signals == []


@pytest.mark.django_db
def test_import(notice_file: Path, admin_user, calendar_signals) -> None:
    lines = run("--notice", str(notice_file), "--user", admin_user.username).splitlines()
    assert lines[:-1] == LINES_2026
    assert lines[-1].startswith("已导入 2026 年节假日安排：7 个节假日，休 33 天，班 6 天")
    overrides = dict(CalendarOverride.objects.values_list("day", "is_workday"))
    assert overrides == parse_notice(NOTICE_2026).days
    assert set(CalendarOverride.objects.values_list("source", flat=True)) == {"notice"}
    confirmed = ConfirmedYear.objects.get()
    assert (confirmed.year, confirmed.source, confirmed.confirmed_by) == (
        2026,
        "notice",
        admin_user,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("calendar_year_imported", admin_user)
    assert len(calendar_signals) == 1 and calendar_signals[0]["years"] == [2026]


@pytest.mark.django_db
def test_import_confirms_a_year_chinesecalendar_lacks(tmp_path: Path) -> None:
    path = tmp_path / "2030.txt"
    path.write_text(
        "国务院办公厅关于2030年部分节假日安排的通知\n"
        "一、国庆节：10月1日（周二）至7日（周一）放假调休，共7天。"
        "9月29日（周日）、10月12日（周六）上班。\n",
        encoding="utf-8",
    )
    assert calendar.months_after(date(2030, 7, 1), 3) == (date(2030, 10, 1), True)
    run("--notice", str(path))
    assert calendar.months_after(date(2030, 7, 1), 3) == (date(2030, 10, 8), False)
    assert calendar.is_workday(date(2030, 10, 12)) is True


@pytest.mark.django_db
def test_gbk_file_and_year_option(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(ITEMS_2026.encode("gbk"))
    assert run("--notice", str(path), "--year", "2026", "--dry-run").splitlines()[:-1] == LINES_2026


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (NOTICE_2026.replace("1月4日（周日）", "1月4日（周一）").encode(), [], "与实际星期不符"),
        (b"", [], "未找到节假日安排"),
        (ITEMS_2026.encode(), [], "无法确定年份"),
        (NOTICE_2026.encode(), ["--year", "2025"], "与指定的2025年不符"),
        (NOTICE_2026.encode("utf-16"), [], "不是 UTF-8 或 GBK 编码的文本文件"),
        (b"\x81\x30\xff\xfe garbage", [], "不是 UTF-8 或 GBK 编码的文本文件"),
        (NOTICE_2026.encode(), ["--user", "nobody"], "用户不存在：nobody"),
    ],
)
def test_command_errors(tmp_path: Path, content: bytes, extra: list[str], message: str) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run("--notice", str(path), *extra)
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.exists()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        run("--notice", str(tmp_path / "none.txt"))


def test_console_script_finds_the_command() -> None:
    huiyin = Path(sys.executable).with_name("huiyin")
    done = subprocess.run(
        [str(huiyin), "import-holidays", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "--notice FILE" in done.stdout and "--dry-run" in done.stdout
