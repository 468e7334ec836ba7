from django.urls import path

from attachments import views

urlpatterns = [
    path("cases/<int:pk>/attachments/", views.case_attach, name="case-attach"),
    path("attachments/<int:pk>/", views.download, name="attachment-download"),
    path("attachments/<int:pk>/remove/", views.remove, name="attachment-remove"),
]
