from django.urls import path

from console.views import calendar, organisation, policy, rules, stars, units, users

app_name = "console"

urlpatterns = [
    path("", units.index, name="index"),
    path("units/", units.unit_list, name="units"),
    path("units/new/", units.unit_create, name="unit-create"),
    path("units/<int:pk>/", units.unit_edit, name="unit-edit"),
    path("units/<int:pk>/move/", units.unit_move, name="unit-move"),
    path("units/<int:pk>/active/", units.unit_active, name="unit-active"),
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_create, name="user-create"),
    path("users/<int:pk>/", users.user_edit, name="user-edit"),
    path("users/<int:pk>/active/", users.user_active, name="user-active"),
    path("users/<int:pk>/password/", users.user_password, name="user-password"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user-unlock"),
    path("users/<int:pk>/roles/", users.role_add, name="role-add"),
    path("users/<int:pk>/roles/<int:membership>/remove/", users.role_remove, name="role-remove"),
    path("policy/", policy.policy, name="policy"),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/<slug:category>/<slug:name>/", rules.rule_edit, name="rule-edit"),
    path("organisation/", organisation.organisation, name="organisation"),
    path("star-weights/", stars.star_weights, name="star-weights"),
    path("calendar/", calendar.calendar_current, name="calendar-current"),
    path("calendar/<int:year>/", calendar.calendar_year, name="calendar"),
    path("calendar/<int:year>/day/", calendar.calendar_day, name="calendar-day"),
    path("calendar/<int:year>/notice/", calendar.calendar_notice, name="calendar-notice"),
]
