from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import generics

from apps.search import selectors
from apps.search.api.serializers import (
    ClaimHitSerializer,
    PostHitSerializer,
    SearchParamsSerializer,
)
from apps.search.forms import POSTS

HITS = PolymorphicProxySerializer(
    component_name="SearchHit",
    serializers=[PostHitSerializer, ClaimHitSerializer],
    resource_type_field_name=None,
    many=True,
)


class Search(generics.ListAPIView):
    """Posts or claims matching the words of `q`, best first, paged like every list."""

    @extend_schema(
        summary="Search posts or claims",
        parameters=[SearchParamsSerializer],
        responses=HITS,
    )
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        kind, terms = params.validated_data.pop("type"), params.validated_data
        words = terms.pop("q")
        if kind == POSTS:
            rows = self.paginate_queryset(selectors.post_search(words=words, **terms))
            posts = selectors.post_hits(rows, words=words)
            return self.get_paginated_response(PostHitSerializer(posts, many=True).data)
        rows = self.paginate_queryset(selectors.claim_search(words=words, **terms))
        hits = selectors.claim_hits(rows)
        return self.get_paginated_response(ClaimHitSerializer(hits, many=True).data)
