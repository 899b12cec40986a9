"""The API's front door (/api/ lists where to go, /api/docs/ reads the schema in Swagger
UI) and what every endpoint shares: its errors' shape (agora_exception_handler)."""

from django.core.exceptions import RequestDataTooBig, ValidationError
from django_ratelimit.exceptions import Ratelimited
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView, exception_handler

from config.middleware import (
    CONFLICT_MESSAGE,
    UNAVAILABLE_MESSAGE,
    UNAVAILABLE_RETRY_AFTER,
    is_database_unavailable,
    is_retryable,
)

ABOUT = (
    "Agora's JSON API: topics, threads, posts, tags, claims, endorsements, argument maps and"
    " their exports, and moderation. The schema lists every endpoint; the docs read it."
)


class ApiRoot(APIView):
    """Where the API starts: its schema, its docs, and the list of topics."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        def link(name: str) -> str:
            return reverse(name, request=request)

        return Response(
            {
                "about": ABOUT,
                "schema": link("api-schema"),
                "docs": link("api-docs"),
                "topics": link("api-topics"),
                "token": link("api-token"),
            }
        )


class ApiDocs(SpectacularSwaggerSplitView):
    """Swagger UI on the schema, from the copy vendored in static/vendor/swagger-ui: its
    set-up script comes as a file of its own, as the Content-Security-Policy allows no inline
    script or style."""

    template_name = "api/docs.html"
    url_name = "api-schema"


def agora_exception_handler(exc, context):
    """A service's ValidationError is the client's mistake: 400 with its messages; a rate
    limit is 429; a body over Django's upload limit is 413; a database conflict or outage
    that saved nothing is 503, in JSON like every other error."""
    if is_retryable(exc):
        return Response({"detail": CONFLICT_MESSAGE}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if is_database_unavailable(exc):
        return Response(
            {"detail": UNAVAILABLE_MESSAGE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, Ratelimited):
        exc = exceptions.Throttled(detail="Too many requests: wait a minute, then try again.")
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError({"detail": exc.messages})
    return exception_handler(exc, context)
