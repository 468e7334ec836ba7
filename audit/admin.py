from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "on", "action", "case", "subject", "actor", "from_state", "to_state"]
    list_filter = ["action"]
    list_select_related = ["case", "actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    # Audit rows are written by actions only.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
