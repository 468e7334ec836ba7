from datetime import date


def cn_date(day: date | None) -> str:
    """2026年6月22日, the way the commission writes dates."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"
