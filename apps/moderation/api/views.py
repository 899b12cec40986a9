from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.claims.models import Claim
from apps.claims.permissions import MayMergeClaims
from apps.claims.services.merge import claim_merge
from apps.claims.services.merge_undo import claim_merge_undo
from apps.forum.models import Topic
from apps.moderation import selectors
from apps.moderation.api.serializers import (
    ClaimMergeSerializer,
    DuplicatePairSerializer,
    MergeRequestSerializer,
    ModerationActionSerializer,
    UndoSerializer,
)
from apps.moderation.models import ClaimMerge, ModerationAction
from apps.moderation.permissions import can_see_moderators


class TopicDuplicates(APIView):
    permission_classes = [MayMergeClaims]

    @extend_schema(responses=DuplicatePairSerializer(many=True))
    def get(self, request, slug):
        """Likely duplicate claims of the topic, most similar first (moderators only)."""
        topic = get_object_or_404(Topic, slug=slug)
        return Response(
            DuplicatePairSerializer(selectors.likely_duplicates(topic=topic), many=True).data
        )


class TopicMerges(APIView):
    permission_classes = [MayMergeClaims]

    @extend_schema(request=MergeRequestSerializer, responses={201: ClaimMergeSerializer})
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

    @extend_schema(request=UndoSerializer, responses={200: ClaimMergeSerializer})
    def post(self, request, pk):
        """Undo a merge, restoring exactly the earlier tags and claims (moderators only)."""
        merge = get_object_or_404(ClaimMerge, pk=pk)
        data = UndoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merge = claim_merge_undo(
            merge=merge, moderator=request.user, reason=data.validated_data["reason"]
        )
        return Response(ClaimMergeSerializer(merge).data)


class TopicModerationLog(generics.ListAPIView):
    """The topic's public moderation log; moderator names only for moderators."""

    serializer_class = ModerationActionSerializer

    def get_queryset(self):
        topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return ModerationAction.objects.filter(topic=topic).select_related("moderator")

    def get_serializer_context(self):
        show = can_see_moderators(self.request.user)
        return {**super().get_serializer_context(), "show_moderators": show}
