from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from workdays.calendar import forget_read
        from workdays.signals import calendar_changed

        # A request that changes the calendar reads it anew for the rest of the request.
        calendar_changed.connect(forget_read, dispatch_uid="workdays.forget_read")
