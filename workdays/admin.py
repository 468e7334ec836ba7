from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from huiyin.types import User
from workdays import actions
from workdays.errors import CalendarError
from workdays.models import CalendarOverride, ConfirmedYear


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "note", "source", "created_by", "created_at"]
    list_filter = ["is_workday", "source"]
    search_fields = ["note"]
    date_hierarchy = "day"
    exclude = ["created_by", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Moving an override to another day would change two days at once; delete and add.
        return ["day"] if obj else []

    # Admin writes go through the actions, so they are audited and recompute deadlines.
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = actions.set_override(
            obj.day,
            is_workday=obj.is_workday,
            by=cast(User, request.user),  # the admin site lets only staff in
            note=obj.note,
            source=obj.source,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            actions.remove_override(obj.day, by=cast(User, request.user))
        except CalendarError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ConfirmedYear)
class ConfirmedYearAdmin(admin.ModelAdmin):
    """Read-only: a year is confirmed by importing its calendar (import_workdays)."""

    list_display = ["year", "source", "confirmed_by", "confirmed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
