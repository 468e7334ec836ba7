"""/p/: the proposer's signed link (no login). portal.links reverses "page"."""

from django.urls import URLPattern, URLResolver, path

from portal import public_views

app_name = "portal_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>/", public_views.page, name="page"),
    path("<str:token>/letter.docx", public_views.letter, name="letter"),
    path("<str:token>/rate/", public_views.rate, name="rate"),
    path("<str:token>/talks/<int:talk>/", public_views.check, name="check"),
]
