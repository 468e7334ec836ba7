"""/yijian/: the public page of 群众意见建议 (no login). opinions.links reverses "track"."""

from django.urls import URLPattern, URLResolver, path

from opinions.public import views

app_name = "opinions_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.submit, name="new"),
    path("ok/", views.receipt, name="receipt"),
    path("query/", views.query, name="query"),
    path("t/<str:code>/<str:token>/", views.track, name="track"),
]
