"""The app's URLs under /mirror/, for a request whose urlconf differs from ROOT_URLCONF."""

from django.urls import include, path

urlpatterns = [path("mirror/", include("config.urls"))]
