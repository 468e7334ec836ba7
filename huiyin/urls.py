from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "回音 · 系统管理"
admin.site.site_title = "回音"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("console/", include("console.urls")),
    path("", include("letters.urls")),
    path("", include("attachments.urls")),
    path("transfer/", include("transfer.urls")),
    path("", include("reports.urls")),
    path("", include("web.urls")),
]

handler404 = "huiyin.views.not_found"
