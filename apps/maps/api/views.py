from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from apps.forum.models import Topic
from apps.maps import exports
from apps.maps.selectors import latest_map


class ExportNegotiation(DefaultContentNegotiation):
    """Here `?format=` names a map export, not one of DRF's renderers."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# Each export's media type, without parameters: json and aif are JSON documents, the rest text.
EXPORT_MEDIA_TYPES = sorted(
    {media_type.split(";")[0] for media_type, _ in exports.FORMATS.values()}
)


class TopicMap(APIView):
    content_negotiation_class = ExportNegotiation

    @extend_schema(
        summary="Read or export a topic's argument map",
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(exports.FORMATS), default="json")
        ],
        responses={
            (200, media_type): OpenApiResponse(
                OpenApiTypes.OBJECT if media_type == "application/json" else OpenApiTypes.STR,
                description="the map in that format",
            )
            for media_type in EXPORT_MEDIA_TYPES
        },
    )
    def get(self, request, slug):
        """The topic's latest argument map, as json (default), aif, argdown, graphml or dot."""
        topic = get_object_or_404(Topic, slug=slug)
        format = request.query_params.get("format", "json")
        if format not in exports.FORMATS:
            raise ValidationError({"format": [f"Choose one of {', '.join(exports.FORMATS)}."]})
        argument_map = latest_map(topic)
        if argument_map is None:
            raise Http404("This topic has no map yet.")
        return exports.export_response(argument_map, format)
