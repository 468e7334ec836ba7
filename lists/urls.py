"""The list pages (挂图作战 and the rest), under /lists/."""

from django.urls import path

from lists import views

app_name = "lists"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("items/<int:pk>/evidence/", views.evidence, name="evidence"),
]
