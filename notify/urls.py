from django.urls import path

from notify import views

app_name = "notify"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.notification_read_all, name="read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("account/notifications/", views.preference_page, name="preferences"),
    path("console/outbox/", views.outbox_page, name="outbox"),
    path("console/outbox/retry/", views.outbox_retry, name="retry-all"),
    path("console/outbox/<int:pk>/retry/", views.outbox_retry, name="retry"),
]
