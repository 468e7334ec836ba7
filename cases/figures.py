"""One definition of each figure a page shows about deadlines and answers: overdue, due
soon, answered on time, counted in statistics. The ledger, 我的待办, the case page, the
API and the statistics all use these; the states come from the categories' specs.
"""

from datetime import date

from django.db.models import Exists, F, OuterRef, Q

from cases.models import Case, Communication
from cases.models.case import RUNNING_STATES
from cases.models.choices import FACE_TO_FACE_METHODS, PROPOSAL_CATEGORIES
from workdays.calendar import WorkdaySpan, workdays_after
from workflow.tables import states_in

# A deadline this many working days away or closer is "due soon" (orange), on every page.
SOON_WORKDAYS = 3


def running_states() -> frozenset[str]:
    """The states in which a case's reply deadline runs (every category)."""
    return states_in("running")


def running_list() -> list[str]:
    """running_states in a fixed order: the order the partial indexes on the running
    states spell them (cases.models.case.RUNNING_STATES). SQLite uses a partial index only
    for a condition written exactly as the index's, and a set's order changes from one
    process to the next."""
    running = running_states()
    return [s for s in RUNNING_STATES if s in running] + sorted(running - set(RUNNING_STATES))


def overdue_q(on: date, prefix: str = "") -> Q:
    """Running and past the deadline; `prefix` reaches the case through a relation
    ("case__": a list item's, "items__case__": a list's items')."""
    return Q(**{f"{prefix}state__spelled_in": running_list(), f"{prefix}deadline__lt": on})


def due_within_q(on: date, workdays: int) -> Q:
    """Open cases due between today and the N-th working day from today (N=0: today)."""
    end = workdays_after(on, workdays).date
    return Q(state__spelled_in=running_list(), deadline__gte=on, deadline__lte=end)


def is_running(case: Case) -> bool:
    return case.state in running_states()


def is_overdue(case: Case, on: date) -> bool:
    return is_running(case) and case.deadline is not None and case.deadline < on


def soon_end(on: date, *, span: WorkdaySpan | None = None) -> date:
    """The last day counted as "due soon": SOON_WORKDAYS working days from today."""
    return workdays_after(on, SOON_WORKDAYS, span=span).date


# --- days left, in working days (the one calendar: workdays.calendar) --------------------
# 我的待办, the ledger, the dashboard and the export all count and say it this way.


def workdays_left(span: WorkdaySpan, on: date, due: date) -> int:
    """Working days from today to a deadline: 3 is 剩 3 个工作日, 0 is due today, -2 is two
    working days past it. `span` is the page's calendar, loaded once."""
    return span.workdays_between(on, due)


def days_text(days_left: int, passed: bool, *, waiting: bool = False) -> str:
    """剩 3 个工作日 / 今天到期 / 逾期 2 个工作日 (waiting for a window: 今天截止 / 已期满 …).

    `passed`: the deadline is before today. Past a deadline that fell on a rest day, no
    working day has gone by yet: 逾期 without a number."""
    if passed:
        word = "已期满" if waiting else "逾期"
        return f"{word} {-days_left} 个工作日" if days_left < 0 else word
    if days_left == 0:
        return "今天截止" if waiting else "今天到期"
    return f"剩 {days_left} 个工作日"


def deadline_tone(case: Case, on: date, soon_until: date) -> str:
    """The colour of the case's reply deadline: overdue (red), soon (orange) or none."""
    if not is_running(case) or case.deadline is None:
        return ""
    if case.deadline < on:
        return "overdue"
    return "soon" if case.deadline <= soon_until else ""


# --- the statistics' predicates (DESIGN.md §5) ---------------------------------------
# reports.stats counts with these, and the ledger's filters use the same objects, so a
# dashboard figure and the list it links to cannot count differently.


def counted_q() -> Q:
    """The cases statistics count: 议提案, not in an uncounted state (withdrawn)."""
    return Q(category__in=PROPOSAL_CATEGORIES) & ~Q(state__in=states_in("uncounted"))


# 已答复: the case has a signed reply (its 答复日期; imported history by its 答复日期), whatever
# its state now (replied, closed, or handled again after 不满意) — never `state == replied`.
REPLIED = Q(replied_on__isnull=False)
# 按期答复 (DESIGN.md §5): replied by the deadline in force, after approved extensions (an
# extension moves `deadline` itself). 按期答复率 = ON_TIME / REPLIED.
ON_TIME = REPLIED & (Q(deadline__isnull=True) | Q(replied_on__lte=F("deadline")))
LATE = REPLIED & Q(deadline__isnull=False) & Q(replied_on__gt=F("deadline"))
# 超期未复 is overdue_q(on): open, past the deadline, not answered in this round. It is not
# part of the rate (which counts answers), so every page shows it beside the rate.


def is_replied(case: Case) -> bool:
    return case.replied_on is not None


def answered_late(case: Case) -> bool:
    """逾期答复: the round's answer came after the deadline (the case no longer running)."""
    if is_running(case) or case.replied_on is None or case.deadline is None:
        return False
    return case.replied_on > case.deadline


def overdue_workdays(span: WorkdaySpan, on: date, case: Case) -> int | None:
    """逾期工作日: for a case past its deadline and not yet answered, the working days since
    the deadline up to today; for an answer after the deadline, those up to the answer;
    otherwise None."""
    if case.deadline is None:
        return None
    if is_overdue(case, on):
        return max(0, -workdays_left(span, on, case.deadline))
    if answered_late(case) and case.replied_on is not None:
        return span.workdays_between(case.deadline, case.replied_on)
    return None


def overdue_word(case: Case, on: date) -> str:
    """是否逾期: 是 (超期未复), 逾期答复 (answered after the deadline) or 否."""
    if is_overdue(case, on):
        return "是"
    return "逾期答复" if answered_late(case) else "否"


# The key of 已答复 in the statistics, the definitions and the ledger's filter (a figure,
# not the state of the same name).
REPLIED_KEY = "replied"

# The definitions written under the figures (dashboard, annual summary, export notes).
DEFINITIONS = {
    REPLIED_KEY: "有已签发答复的办件，含办结和不满意后重新办理的",
    "unreplied": "尚无签发答复的办件",
    "on_time_rate": "按期答复 ÷ 已答复；按期：答复日期不晚于答复期限（含批准的延期）",
    "overdue": "已过答复期限、尚未答复的在办件（含重新办理），不计入按期答复率",
    "due_soon": "未答复、答复期限在今天至第{n}个工作日之间的办件",
    "days": "剩余与逾期天数均按工作日计算（法定节假日和调休按国家安排）",
}


def met_in_person() -> Q:
    """The case had at least one communication in person (面商、座谈、实地调研、上门).

    A correlated EXISTS: the database turns it into a semi-join (an anti-join when
    negated), and picks per use between probing a case's few communications by index
    (a list reading the newest cases: 20 rows, a few probes each) and hashing them all
    (counting a year). `id IN (…)` would hash every face-to-face communication even for a
    page of 20, and its negation (NOT IN) cannot become an anti-join at all."""
    met = Communication.objects.filter(case=OuterRef("pk"), method__in=FACE_TO_FACE_METHODS)
    return Q(Exists(met))
