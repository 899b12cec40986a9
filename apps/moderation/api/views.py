from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsActiveMember
from apps.claims.models import Claim
from apps.claims.permissions import MayMergeClaims
from apps.claims.services.merge import claim_merge
from apps.claims.services.merge_undo import claim_merge_undo
from apps.forum.models import Post, Topic
from apps.moderation import reports, selectors
from apps.moderation.api.serializers import (
    ClaimMergeSerializer,
    DuplicatePairSerializer,
    MergeRequestSerializer,
    ModerationActionSerializer,
    ReportFilterSerializer,
    ReportRequestSerializer,
    ReportSerializer,
    ResolveSerializer,
    UndoSerializer,
)
from apps.moderation.models import ClaimMerge, ModerationAction, Report
from apps.moderation.permissions import can_handle_reports, can_see_moderators
from config.limits import limited


class TopicDuplicates(APIView):
    permission_classes = [MayMergeClaims]

    @extend_schema(
        summary="List likely duplicate claims (moderators)",
        responses=DuplicatePairSerializer(many=True),
    )
    def get(self, request, slug):
        """Likely duplicate claims of the topic, most similar first (moderators only)."""
        topic = get_object_or_404(Topic, slug=slug)
        return Response(
            DuplicatePairSerializer(selectors.likely_duplicates(topic=topic), many=True).data
        )


class TopicMerges(APIView):
    permission_classes = [MayMergeClaims]

    @extend_schema(
        summary="Merge claims (moderators)",
        request=MergeRequestSerializer,
        responses={201: ClaimMergeSerializer},
    )
    def post(self, request, slug):
        """Merge source claims into a target claim of the topic (moderators only)."""
        topic = get_object_or_404(Topic, slug=slug)
        data = MergeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = Claim.objects.in_bulk(
            [data.validated_data["target"], *data.validated_data["sources"]]
        )
        missing = {data.validated_data["target"], *data.validated_data["sources"]} - set(found)
        if missing:
            raise exceptions.ValidationError({"detail": [f"No such claims: {sorted(missing)}."]})
        if found[data.validated_data["target"]].topic_id != topic.pk:
            raise exceptions.ValidationError({"target": ["The target belongs to another topic."]})
        merge = claim_merge(
            target=found[data.validated_data["target"]],
            sources=[found[pk] for pk in dict.fromkeys(data.validated_data["sources"])],
            moderator=request.user,
            reason=data.validated_data["reason"],
            resolutions=data.validated_data["resolutions"],
            member_resolutions=data.validated_data["member_resolutions"],
            fingerprint=data.validated_data.get("fingerprint"),
        )
        return Response(ClaimMergeSerializer(merge).data, status=status.HTTP_201_CREATED)


class MergeUndo(APIView):
    permission_classes = [MayMergeClaims]

    @extend_schema(
        summary="Undo a merge (moderators)",
        request=UndoSerializer,
        responses={200: ClaimMergeSerializer},
    )
    def post(self, request, pk):
        """Undo a merge, restoring exactly the earlier tags and claims (moderators only)."""
        merge = get_object_or_404(ClaimMerge, pk=pk)
        data = UndoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merge = claim_merge_undo(
            merge=merge, moderator=request.user, reason=data.validated_data["reason"]
        )
        return Response(ClaimMergeSerializer(merge).data)


@extend_schema_view(get=extend_schema(summary="Read a topic's moderation log"))
class TopicModerationLog(generics.ListAPIView):
    """The topic's public moderation log; moderator names only for moderators."""

    serializer_class = ModerationActionSerializer

    def get_queryset(self):
        topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return ModerationAction.objects.filter(topic=topic).select_related("moderator")

    def get_serializer_context(self):
        show = can_see_moderators(self.request.user)
        return {**super().get_serializer_context(), "show_moderators": show}


class ReportCreate(APIView):
    """A member reports a post or a claim (`kind` below) to the moderators."""

    permission_classes = [IsActiveMember]
    model = Post

    def post(self, request, pk):
        item = get_object_or_404(self.model, pk=pk)
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = reports.report_create(
            reporter=request.user,
            reason=data.validated_data["reason"],
            **{self.model._meta.model_name: item},
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class PostReports(ReportCreate):
    model = Post

    @extend_schema(
        summary="Report a post to the moderators",
        description="One open report per member and post; not one's own post (edit or delete"
        " it instead); not a deleted or removed post. Rate-limited.",
        request=ReportRequestSerializer,
        responses={201: ReportSerializer},
    )
    @method_decorator(limited("report"))
    def post(self, request, pk):
        return super().post(request, pk)


class ClaimReports(ReportCreate):
    model = Claim

    @extend_schema(
        summary="Report a claim to the moderators",
        description="One open report per member and claim; a merged claim stands for the"
        " claim it was merged into. Rate-limited.",
        request=ReportRequestSerializer,
        responses={201: ReportSerializer},
    )
    @method_decorator(limited("report"))
    def post(self, request, pk):
        return super().post(request, pk)


class CanHandleReports(BasePermission):
    message = "Only moderators can see and resolve reports."

    def has_permission(self, request, view):
        return can_handle_reports(request.user)


class ReportList(generics.ListAPIView):
    serializer_class = ReportSerializer
    permission_classes = [CanHandleReports]

    @extend_schema(
        summary="List reports (moderators)",
        description="Reports, oldest first; filter by `topic` (slug) and `state`.",
        parameters=[ReportFilterSerializer],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = ReportFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        found = Report.objects.select_related("topic", "reporter").order_by("created", "pk")
        if "topic" in filters.validated_data:
            found = found.filter(topic__slug=filters.validated_data["topic"])
        if "state" in filters.validated_data:
            found = found.filter(state=filters.validated_data["state"])
        return found


class ReportResolve(APIView):
    permission_classes = [CanHandleReports]

    @extend_schema(
        summary="Resolve a report (moderators)",
        description="Dismiss the open reports on the report's post or claim, or remove the"
        " post; every open report on the item closes, the moderation log records it and each"
        " reporter is notified.",
        request=ResolveSerializer,
        responses={200: ReportSerializer},
    )
    def post(self, request, pk):
        report = get_object_or_404(Report, pk=pk)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reports.report_resolve(report=report, moderator=request.user, **data.validated_data)
        report.refresh_from_db()
        return Response(ReportSerializer(report).data)
