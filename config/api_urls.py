from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from apps.accounts.api import views as member_views
from apps.claims.api import views as claim_views
from apps.forum.api import views
from apps.maps.api import views as map_views
from apps.moderation.api import views as moderation_views
from apps.notifications.api import views as notification_views
from apps.search.api import views as search_views
from config.api import ApiDocs, ApiRoot, TokenView

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
    path("reports/", moderation_views.ReportList.as_view(), name="api-reports"),
    path(
        "reports/<int:pk>/resolve/",
        moderation_views.ReportResolve.as_view(),
        name="api-report-resolve",
    ),
    path(
        "claims/<int:pk>/reports/",
        moderation_views.ClaimReports.as_view(),
        name="api-claim-reports",
    ),
    path("claims/<int:pk>/", claim_views.ClaimDetail.as_view(), name="api-claim"),
    path(
        "claims/<int:pk>/endorsement/",
        claim_views.ClaimEndorsement.as_view(),
        name="api-claim-endorsement",
    ),
    path("threads/<int:pk>/", views.ThreadDetail.as_view(), name="api-thread"),
    path("threads/<int:pk>/posts/", views.ThreadPosts.as_view(), name="api-thread-posts"),
    path("posts/<int:pk>/", views.PostDetail.as_view(), name="api-post"),
    path("notifications/", notification_views.NotificationList.as_view(), name="api-notifications"),
    path(
        "notifications/read/",
        notification_views.NotificationsRead.as_view(),
        name="api-notifications-read",
    ),
    path("threads/<int:pk>/watch/", notification_views.ThreadWatch.as_view(), name="api-watch"),
    path(
        "posts/<int:pk>/reports/", moderation_views.PostReports.as_view(), name="api-post-reports"
    ),
    path("search/", search_views.Search.as_view(), name="api-search"),
    path("members/me/", member_views.Me.as_view(), name="api-me"),
    path("members/<str:username>/", member_views.MemberDetail.as_view(), name="api-member"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocs.as_view(), name="api-docs"),
]
