"""Import and export of lists (issue 14): /lists/import/ (upload → preview → confirm) and a
list's .xlsx in its import shape and as the 整改台账."""

from django.urls import URLPattern, URLResolver, path

from lists import export, import_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("import/", import_views.upload, name="import"),
    path("import/<str:token>/", import_views.preview, name="import-preview"),
    path("import/<str:token>/confirm/", import_views.confirm, name="import-confirm"),
    path("<int:pk>/export.xlsx", export.export_list, name="export"),
    path("<int:pk>/ledger.xlsx", export.export_ledger, name="ledger"),
]
