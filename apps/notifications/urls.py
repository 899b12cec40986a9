from django.urls import path

from apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.notifications_read, name="read"),
    path("threads/<int:pk>/watch/", views.thread_watch, name="watch"),
    path("settings/", views.preferences_edit, name="settings"),
    path("unsubscribe/<str:token>/", views.email_unsubscribe, name="unsubscribe"),
]
