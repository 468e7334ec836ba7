from django.urls import path

from reports import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/report.docx", views.summary_download, name="dashboard-report"),
]
