from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        # The summary rows follow every write to a case, in its transaction (reports.tally).
        from audit.signals import cases_written
        from reports.tally import on_cases_written

        cases_written.connect(on_cases_written, dispatch_uid="reports.tally")
