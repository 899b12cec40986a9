from django.urls import path

from apps.maps import views

app_name = "maps"
urlpatterns = [
    path("topics/<slug:slug>/map/", views.map_detail, name="map"),
    path("topics/<slug:slug>/map/claims/<int:claim_id>/", views.map_focus, name="focus"),
    path("topics/<slug:slug>/map/status/", views.map_status, name="status"),
    path("topics/<slug:slug>/map/whole/", views.map_whole, name="whole"),
    path(
        "topics/<slug:slug>/map/claims/<int:claim_id>/neighbourhood.json",
        views.map_neighbourhood,
        name="neighbourhood",
    ),
    path("topics/<slug:slug>/map/export/<str:format>/", views.map_export, name="export"),
]
