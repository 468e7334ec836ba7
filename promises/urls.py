from django.urls import URLPattern, URLResolver, path

from promises import views

app_name = "promises"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.promise_list, name="list"),
    path("export.xlsx", views.promise_export, name="export"),
    path("report.docx", views.promise_report, name="report"),
]
