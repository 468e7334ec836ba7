from datetime import date

import pytest

from workdays.errors import CalendarError
from workdays.parsing import parse_day_file, single_year


def test_parse_day_file() -> None:
    text = (
        "\ufeff# 2026 国庆\n"
        "\n"
        "2026-09-20 班\n"
        "2026-10-01  休  # 国庆节\n"
        "2026-10-02\tholiday\r\n"
        "2026-10-10 Workday\n"
        "2026-10-03，休\n"
    )
    assert parse_day_file(text) == {
        date(2026, 9, 20): True,
        date(2026, 10, 1): False,
        date(2026, 10, 2): False,
        date(2026, 10, 10): True,
        date(2026, 10, 3): False,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-10-01 休\n\n2026-13-01 休\n", "第3行无法识别：“2026-13-01 休”"),
        ("2026-02-30 班", "第1行无法识别：“2026-02-30 班”"),
        ("2026-10-01 放假", "第1行无法识别：“2026-10-01 放假”"),
        ("2026-10-01", "第1行无法识别：“2026-10-01”"),
        ("2026/10/01 休", "第1行无法识别：“2026/10/01 休”"),
        ("2026-10-01 休 班", "第1行无法识别：“2026-10-01 休 班”"),
        ("2026-10-01 休\n2026-10-1 班\n", "第2行日期重复：“2026-10-1 班”（第1行已有 2026-10-01）"),
    ],
)
def test_bad_lines(text: str, message: str) -> None:
    with pytest.raises(CalendarError) as caught:
        parse_day_file(text)
    assert caught.value.message == message


def test_single_year() -> None:
    assert single_year({date(2030, 1, 1): False}) == 2030
    with pytest.raises(CalendarError, match="2030、2031"):
        single_year({date(2030, 1, 1): False, date(2031, 1, 1): False})
