from django.urls import path

from apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("notifications/", views.notifications, name="notifications"),
    path("settings/", views.profile_settings, name="settings"),
]
