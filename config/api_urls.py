from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import obtain_auth_token

from apps.claims.api import views as claim_views
from apps.forum.api import views
from apps.maps.api import views as map_views
from apps.moderation.api import views as moderation_views
from apps.search.api import views as search_views
from config.api import ApiDocs, ApiRoot

urlpatterns = [
    path("", ApiRoot.as_view(), name="api-root"),
    path("topics/", views.TopicList.as_view(), name="api-topics"),
    path("topics/<slug:slug>/", views.TopicDetail.as_view(), name="api-topic"),
    path("topics/<slug:slug>/threads/", views.TopicThreads.as_view(), name="api-topic-threads"),
    path("topics/<slug:slug>/claims/", claim_views.TopicClaims.as_view(), name="api-topic-claims"),
    path("topics/<slug:slug>/map/", map_views.TopicMap.as_view(), name="api-topic-map"),
    path(
        "topics/<slug:slug>/duplicates/",
        moderation_views.TopicDuplicates.as_view(),
        name="api-duplicates",
    ),
    path("topics/<slug:slug>/merges/", moderation_views.TopicMerges.as_view(), name="api-merges"),
    path(
        "topics/<slug:slug>/modlog/",
        moderation_views.TopicModerationLog.as_view(),
        name="api-modlog",
    ),
    path("merges/<int:pk>/undo/", moderation_views.MergeUndo.as_view(), name="api-merge-undo"),
    path("claims/<int:pk>/", claim_views.ClaimDetail.as_view(), name="api-claim"),
    path(
        "claims/<int:pk>/endorsement/",
        claim_views.ClaimEndorsement.as_view(),
        name="api-claim-endorsement",
    ),
    path("threads/<int:pk>/", views.ThreadDetail.as_view(), name="api-thread"),
    path("threads/<int:pk>/posts/", views.ThreadPosts.as_view(), name="api-thread-posts"),
    path("posts/<int:pk>/", views.PostDetail.as_view(), name="api-post"),
    path("search/", search_views.Search.as_view(), name="api-search"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocs.as_view(), name="api-docs"),
]
