from django.urls import path

from security import views

app_name = "security"
urlpatterns = [
    path("", views.user_list, name="users"),
    path("otp/", views.otp, name="otp"),
    path("enrol/", views.enrol, name="enrol"),
    path("account/", views.account, name="account"),
    path("users/<int:pk>/", views.user_detail, name="user"),
]
