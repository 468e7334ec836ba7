"""What `make mutate` works on (scripts/mutate.py): the core modules, the tests run for
each module's mutants, and the mutants known to be equivalent, with the reason."""

# The core modules.
DEFAULT_MODULES = [
    "workdays/calendar.py",
    "cases/permissions.py",
    "cases/queries.py",
    "workflow/engine.py",
    "proposals/spec.py",  # the 议提案 workflow declaration
    "reports/stats.py",
    "cases/actions/reply.py",
]


# The tests run for a module's mutants, the most pointed first (with -x the first failure
# ends the run, so a killed mutant costs little). Paths that do not exist are skipped; a
# module not listed gets its own app's tests plus the workflow and cases tests.
TESTS: dict[str, list[str]] = {
    "workdays/calendar.py": [
        "workdays/tests/test_calendar_edges.py",
        "workdays/tests",
        "cases/tests/test_deadlines_and_engine.py",
        "cases/tests/test_todo.py",
    ],
    "cases/permissions.py": [
        "cases/tests/test_visibility_ends.py",
        "cases/tests/test_state_table.py",
        "cases/tests",
        "api/tests/test_permissions.py",
    ],
    "cases/queries.py": [
        "cases/tests/test_visibility_ends.py",
        "cases/tests",
        "api/tests/test_permissions.py",
    ],
    "workflow/engine.py": [
        "workflow/tests/test_mutants_engine.py",
        "cases/tests/test_state_table.py",
        "workflow/tests",
        "cases/tests",
        "transfer/tests/test_import_rules.py",  # the import's own transition
    ],
    "proposals/spec.py": [
        "cases/tests/test_state_table.py",
        "proposals/tests",
        "workflow/tests",
        "cases/tests",
        "transfer/tests/test_import_rules.py",
        # The readers of the state groups and forms the spec declares.
        "console/tests/test_unit_cases_in_hand.py",
        "reports/tests/test_stats_edges.py",
        "web/tests/test_case_page.py",
        "web/tests/test_action_forms.py",
        "attachments/tests/test_actions.py",
    ],
    "reports/stats.py": [
        "reports/tests/test_stats_edges.py",
        "reports/tests/test_stats.py",
        "reports/tests",
    ],
    "cases/actions/reply.py": [
        "cases/tests/test_reply_rules.py",
        "cases/tests/test_state_table.py",
        "cases/tests",
    ],
}

_SIZING = "sizes the first calendar load only; other years are loaded when reached"

# Mutants that cannot change what the program does, by module, keyed by the stripped
# source line and the mutant's description (not the line number, which moves). They are
# reported but left out of the score.
EQUIVALENT: dict[str, dict[tuple[str, str], str]] = {
    "workdays/calendar.py": {
        ("chinese_calendar.is_workday(datetime.date(year, 1, 1))", "`1` → `2`"): (
            "chinesecalendar knows whole years: any day of a year tells whether it has it"
        ),
        ("_check(day, 0)", "`0` → `1`"): "is_workday checks only the date; 0 and 1 both pass",
        (
            'ConfirmedYear.objects.filter(year__in=unknown).values_list("year", flat=True)',
            "drop `.filter(year__in=unknown)`",
        ): "only the unknown years are looked up in what is read: all years give the same",
        ("ROLL_MARGIN = datetime.timedelta(days=15)", "`15` → `16`"): _SIZING,
        (
            "rows = CalendarOverride.objects.filter(",
            "drop `.filter(day__range=(datetime.date(fir…)`",
        ): "loading every override instead of the span's years' gives the same answers",
        (
            "span = span or _Span(start, start + datetime.timedelta(days=2 * n) + ROLL_MARGIN)",
            "`2` → `3`",
        ): _SIZING,
        (
            "span = span or _Span(end - datetime.timedelta(days=2 * n) - ROLL_MARGIN, end)",
            "`2` → `3`",
        ): _SIZING,
    },
    "cases/permissions.py": {
        (
            "live_assignments = list(case.assignments.filter(status__in=LIVE_ASSIGNMENT))",
            "drop `.filter(status__in=LIVE_ASSIGNMENT)`",
        ): "the loop skips assignments that are not live anyway (it must: lists passed in)",
    },
    "cases/queries.py": {
        ("if digits.isascii() and digits.isdigit() and len(digits) <= 19:", "`<=` → `<`"): (
            "no id has 19 digits (10^18 and more): 404 either way"
        ),
        ("if digits.isascii() and digits.isdigit() and len(digits) <= 19:", "`19` → `20`"): (
            "20 digits exceed the id column: Django answers no row, 404 either way"
        ),
    },
    "workflow/engine.py": {
        (
            "return now if not_before is None or now >= not_before else not_before",
            "`>=` → `>`",
        ): "when today is the previous action's date both branches give that date",
        ("return AuditEvent.objects.bulk_create(events, batch_size=500)", "`500` → `501`"): (
            "a batch size: the same rows are written"
        ),
    },
    "cases/actions/reply.py": {
        (
            'reply = case.replies.filter(round=case.round, status=status).order_by("-id").first()',
            "drop `.filter(round=case.round, status=stat…)`",
        ): (
            "the state machine keeps the newest reply the one awaiting the step (a draft is "
            "made only in handling, after the previous one was signed or sent back)"
        ),
    },
}
