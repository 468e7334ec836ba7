"""/portal/: the office's side of the proposer's links (login; coordinators)."""

from django.urls import URLPattern, URLResolver, path

from portal import views

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:pk>/links/", views.issue, name="issue"),
    path("cases/<int:pk>/links/<int:link>/", views.link_page, name="link"),
    path("cases/<int:pk>/links/<int:link>/revoke/", views.revoke, name="revoke"),
    path(
        "cases/<int:pk>/feedback-form.docx",
        views.feedback_form_with_link,
        name="feedback-form",
    ),
]
