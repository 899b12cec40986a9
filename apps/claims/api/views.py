from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django_ratelimit import UNSAFE
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsActiveMember
from apps.claims import selectors
from apps.claims.api.serializers import (
    ClaimCreateSerializer,
    ClaimDetailSerializer,
    ClaimSerializer,
    EndorsementSerializer,
    StanceSerializer,
)
from apps.claims.models import Claim
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import NoEndorsement, endorsement_set, endorsement_withdraw
from apps.forum.models import Topic
from apps.maps.selectors import latest_version, map_claim
from config.limits import limited


class TopicClaims(generics.ListAPIView):
    """GET: the topic's claims; with `q`, the most similar first (aliases stand for their
    targets). POST: the active claim with these words, created if new."""

    serializer_class = ClaimSerializer

    def get_topic(self) -> Topic:
        return get_object_or_404(Topic, slug=self.kwargs["slug"])

    @extend_schema(
        summary="List or search a topic's claims",
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="words to match")],
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
        summary="Find or create a claim by its words",
        request=ClaimCreateSerializer,
        responses={201: ClaimSerializer, 200: ClaimSerializer},
    )
    @method_decorator(limited("claim"))
    def post(self, request, slug):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim, created = claim_create(
            topic=self.get_topic(), author=request.user, text=data.validated_data["text"]
        )
        return Response(
            ClaimSerializer(claim).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema_view(get=extend_schema(summary="Read a claim with its standing on the map"))
class ClaimDetail(generics.RetrieveAPIView):
    """A claim with its strength, people and standing in the latest map (that version's row,
    never its whole graph); an alias names the claim it was merged into."""

    queryset = Claim.objects.select_related("topic")
    serializer_class = ClaimDetailSerializer

    def retrieve(self, request, pk):
        claim = self.get_object()
        argument_map = latest_version(claim.topic)
        context = {"argument_map": argument_map, "node": map_claim(argument_map, claim.pk)}
        return Response(ClaimDetailSerializer(claim, context=context).data)


class ClaimEndorsement(APIView):
    """The caller's endorsement of the claim (an alias stands for the claim it was merged
    into): GET it, PUT a stance (201 when new, 200 when changed or the same), DELETE it."""

    permission_classes = [IsActiveMember]

    def get_claim(self) -> Claim:
        return get_object_or_404(Claim.objects.select_related("merged_into"), pk=self.kwargs["pk"])

    @extend_schema(
        summary="Read your endorsement of a claim", responses={200: EndorsementSerializer}
    )
    def get(self, request, pk):
        endorsement = selectors.endorsement_of(claim=self.get_claim(), user=request.user)
        if endorsement is None:
            raise exceptions.NotFound("You have not endorsed this claim.")
        return Response(EndorsementSerializer(endorsement).data)

    @extend_schema(
        summary="Endorse or dispute a claim",
        request=StanceSerializer,
        responses={201: EndorsementSerializer, 200: EndorsementSerializer},
    )
    @method_decorator(limited("endorse", method=UNSAFE))
    def put(self, request, pk):
        data = StanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endorsement, created = endorsement_set(
            claim=self.get_claim(), member=request.user, stance=data.validated_data["stance"]
        )
        return Response(
            EndorsementSerializer(endorsement).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(summary="Withdraw your endorsement of a claim", responses={204: None})
    @method_decorator(limited("endorse", method=UNSAFE))
    def delete(self, request, pk):
        try:
            endorsement_withdraw(claim=self.get_claim(), member=request.user)
        except NoEndorsement as refusal:
            raise exceptions.NotFound(refusal.messages[0]) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
