from django.contrib.auth import views as auth_views
from django.urls import path

from security.views import LoginView as SecondFactorLoginView
from web import views
from web.views import account as account_views
from web.views import cases as case_views

urlpatterns = [
    path("", views.home, name="home"),
    # The password, then (security.views) the second factor for those who need it.
    path("login/", SecondFactorLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account_views.password_change, name="account-password"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_register, name="case-register"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/actions/<slug:action>/", views.case_action, name="case-action"),
    path(
        "cases/<int:pk>/actions/<slug:action>/form/",
        views.case_action_card,
        name="case-action-card",
    ),
    path("proposers/", views.proposer_list, name="proposer-list"),
    path("proposers/<int:pk>/", views.proposer_detail, name="proposer-detail"),
    path("cases/<int:pk>/print/", case_views.case_print, name="case-print"),
    path(
        "cases/<int:pk>/deadline-preview/",
        case_views.deadline_preview,
        name="case-deadline-preview",
    ),
]
