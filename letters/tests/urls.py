"""The project's URLs with the letters' included, as the root URLconf will have them."""

from django.urls import include, path

from huiyin.urls import urlpatterns as root

urlpatterns = [path("", include("letters.urls")), *root]
