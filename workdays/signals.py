import django.dispatch

# Sent after the working-day calendar of some years changed, inside the transaction that
# changed it, so receivers (recomputing provisional deadlines, writing audit events) commit
# or roll back together with the change. Sender is CalendarOverride.
# Keyword arguments: years (list[int]), by (the user, or None), on (datetime.date).
calendar_changed = django.dispatch.Signal()
