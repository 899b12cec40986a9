"""The API's front door (/api/ lists where to go, /api/docs/ reads the schema in Swagger
UI) and what every endpoint shares: its errors' shape (agora_exception_handler)."""

import re

from django.core.exceptions import RequestDataTooBig, ValidationError
from django_ratelimit.exceptions import Ratelimited
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.authtoken.views import ObtainAuthToken
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
    " their exports, search, members' profiles, notifications, reports and moderation. The"
    " schema lists every endpoint; the docs read it."
)
# Django's <converter:name> in a route, written as OpenAPI's {name} (a pk is the schema's id).
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
NOT_RESOURCES = {"api-root", "api-schema", "api-docs"}


def resources(request) -> dict[str, str]:
    """Every route of the API but the front door's, by name: a link, or a URL template."""
    from config.api_urls import urlpatterns  # it imports this module's views

    api = request.build_absolute_uri(reverse("api-root"))  # {braces} would be quoted in it
    return {
        route.name.removeprefix("api-"): api
        + ROUTE_PARAMETER.sub(r"{\1}", str(route.pattern)).replace("{pk}", "{id}")
        for route in urlpatterns
        if route.name not in NOT_RESOURCES
    }


class ApiRoot(APIView):
    """Where the API starts: its schema, its docs, the list of topics, and every resource."""

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
                "resources": resources(request),
            }
        )


@extend_schema_view(post=extend_schema(summary="Get an API token for your username and password"))
class TokenView(ObtainAuthToken):
    """`username` and `password` -> `{"token": key}`, for `Authorization: Token <key>`."""


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
