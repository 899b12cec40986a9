from django.urls import path

from apps.moderation import views

app_name = "moderation"
urlpatterns = [
    path("moderation/topics/<slug:slug>/duplicates/", views.duplicates, name="duplicates"),
    path(
        "moderation/topics/<slug:slug>/duplicates/dismiss/", views.duplicate_dismiss, name="dismiss"
    ),
    path("moderation/topics/<slug:slug>/merge/", views.merge, name="merge"),
    path("moderation/merges/<int:pk>/undo/", views.merge_undo, name="undo"),
    path(
        "moderation/posts/<int:pk>/remove/",
        views.post_moderate,
        {"action": "remove"},
        name="remove",
    ),
    path(
        "moderation/posts/<int:pk>/restore/",
        views.post_moderate,
        {"action": "restore"},
        name="restore",
    ),
    path("moderation/threads/<int:pk>/lock/", views.thread_lock, name="lock"),
    path("moderation/threads/<int:pk>/delete/", views.thread_delete, name="delete_thread"),
    path("moderation/topics/<slug:slug>/delete/", views.topic_delete, name="delete_topic"),
    path("posts/<int:pk>/report/", views.report_post, name="report_post"),
    path("claims/<int:pk>/report/", views.report_claim, name="report_claim"),
    path("moderation/reports/", views.report_queue, name="reports_all"),
    path("moderation/topics/<slug:slug>/reports/", views.report_queue, name="reports"),
    path("moderation/reports/<int:pk>/resolve/", views.report_resolve, name="resolve"),
    path("modlog/", views.log, name="log_all"),
    path("topics/<slug:slug>/modlog/", views.log, name="log"),
]
