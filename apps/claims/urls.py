from django.urls import path

from apps.claims import views

app_name = "claims"
urlpatterns = [
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/endorsement/", views.claim_endorse, name="endorse"),
    path("topics/<slug:slug>/claims/suggest/", views.claim_suggestions, name="suggest"),
    path("posts/<int:pk>/tags/", views.post_tags_edit, name="post_tags"),
]
