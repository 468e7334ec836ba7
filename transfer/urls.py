from django.urls import path

from transfer import export_views, views

urlpatterns = [
    path("import/", views.import_upload, name="transfer-import"),
    path("import/<int:pk>/", views.import_job, name="transfer-import-job"),
    path("import/<int:pk>/progress/", views.import_progress, name="transfer-import-progress"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="transfer-import-confirm"),
    path("import/<int:pk>/recheck/", views.import_recheck, name="transfer-import-recheck"),
    path("template.xlsx", views.template_download, name="transfer-template"),
    path("export.xlsx", views.export, name="transfer-export"),
    path("export/columns/", export_views.export_columns, name="transfer-export-columns"),
]
