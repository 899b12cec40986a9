from django.urls import path

from apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("settings/bio/", views.bio_edit, name="bio"),  # a form of notifications:settings
]
