from django.urls import URLPattern, URLResolver, path

from similar import views

app_name = "similar"
urlpatterns: list[URLPattern | URLResolver] = [
    path("register-panel/", views.register_panel, name="register-panel"),
    path("routing/", views.routing, name="routing"),
]
