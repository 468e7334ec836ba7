"""The list pages (挂图作战 and the rest), under /lists/."""

from django.urls import include, path

from lists import item_form, views

app_name = "lists"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("items/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/items/new/", item_form.new_item, name="item-new"),
    path("", include("lists.board_urls")),  # 挂图作战, 主体责任清单 (lists/board.py)
    path("", include("lists.import_urls")),  # import and export (lists/importing.py)
    path("", include("lists.report_urls")),  # 整改情况报告, bulletin (lists/report.py)
]
