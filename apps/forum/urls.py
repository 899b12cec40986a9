from django.urls import path

from apps.forum import topic_views, views

app_name = "forum"
urlpatterns = [
    path("", views.home, name="home"),
    path("topics/new/", topic_views.topic_create, name="topic_create"),  # "new" is reserved
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/edit/", topic_views.topic_edit, name="topic_edit"),
    path("topics/<slug:slug>/archive/", topic_views.topic_archive, name="topic_archive"),
    path("topics/<slug:slug>/new/", views.thread_create, name="thread_create"),
    path("threads/<int:pk>/", views.thread_detail, name="thread"),
    path("posts/preview/", views.post_preview, name="preview"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/reply/", views.reply_create, name="reply"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("posts/<int:pk>/revisions/", views.post_revisions, name="post_revisions"),
]
