"""/disclosure/: the public page of disclosed replies (no login)."""

from django.urls import URLPattern, URLResolver, path

from disclosure import views

app_name = "disclosure"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
]
