from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("export.xlsx", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
]
