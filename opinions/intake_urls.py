"""/opinions/ — staff intake of public opinions: quick entry, bulk import, campaigns."""

from django.urls import URLPattern, URLResolver, path

from opinions import campaigns, import_views, quick, reveal

app_name = "opinions_intake"

urlpatterns: list[URLPattern | URLResolver] = [
    path("quick/", quick.quick_entry, name="quick"),
    path("<int:pk>/reveal-phone/", reveal.reveal_phone, name="reveal-phone"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-new"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign-edit"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template.xlsx", import_views.template_download, name="import-template"),
    path("import/<slug:token>/", import_views.import_job, name="import-job"),
    path("import/<slug:token>/progress/", import_views.import_progress, name="import-progress"),
    path("import/<slug:token>/confirm/", import_views.import_confirm, name="import-confirm"),
]
