from django.urls import path

from apps.maps import views

app_name = "maps"
urlpatterns = [
    path("topics/<slug:slug>/map/", views.map_detail, name="map"),
    path("topics/<slug:slug>/map/status/", views.map_status, name="status"),
    path("topics/<slug:slug>/map/export/<str:format>/", views.map_export, name="export"),
]
