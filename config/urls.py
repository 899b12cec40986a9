from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from apps.accounts.views import password_reset, signup
from config.health import healthz

handler500 = "config.errors.server_error"

urlpatterns = [
    path("", include("apps.forum.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.claims.urls")),
    path("", include("apps.maps.urls")),
    path("", include("apps.moderation.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.search.urls")),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (the API's JSON, for one).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.ico"))),
]
