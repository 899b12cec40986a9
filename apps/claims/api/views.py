from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from apps.claims import selectors, services
from apps.claims.api.serializers import (
    ClaimCreateSerializer,
    ClaimDetailSerializer,
    ClaimSerializer,
)
from apps.claims.models import Claim
from apps.forum.models import Topic
from apps.maps.selectors import claim_relations, latest_map
from config.limits import limited


class TopicClaims(generics.ListAPIView):
    """GET: the topic's claims; with `q`, the most similar first (aliases stand for their
    targets). POST: the active claim with these words, created if new."""

    serializer_class = ClaimSerializer

    def get_topic(self) -> Topic:
        return get_object_or_404(Topic, slug=self.kwargs["slug"])

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="words to match")]
    )
    def get(self, request, slug):
        query = request.query_params.get("q", "")
        if query.strip():
            claims = selectors.similar_claims(topic=self.get_topic(), query=query)
            return Response({"count": len(claims), "next": None, "previous": None,
                             "results": ClaimSerializer(claims, many=True).data})  # fmt: skip
        return super().get(request, slug)

    def get_queryset(self):
        return (
            Claim.objects.active().in_topic(self.get_topic()).select_related("topic").order_by("pk")
        )

    @extend_schema(
        request=ClaimCreateSerializer, responses={201: ClaimSerializer, 200: ClaimSerializer}
    )
    @method_decorator(limited("claim"))
    def post(self, request, slug):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic = self.get_topic()
        existed = Claim.objects.in_topic(topic).filter(text=data.validated_data["text"]).exists()
        claim = services.claim_create(
            topic=topic, author=request.user, text=data.validated_data["text"]
        )
        return Response(
            ClaimSerializer(claim).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class ClaimDetail(generics.RetrieveAPIView):
    """A claim with its standing in the latest map; an alias names the claim it was merged into."""

    queryset = Claim.objects.select_related("topic")
    serializer_class = ClaimDetailSerializer

    def retrieve(self, request, pk):
        claim = self.get_object()
        relations = claim_relations(latest_map(claim.topic), claim.pk)
        return Response(ClaimDetailSerializer(claim, context={"relations": relations}).data)
