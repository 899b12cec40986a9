"""The API's front door: /api/ lists where to go, /api/docs/ reads the schema in Swagger UI."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

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
