from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.forum.models import Topic
from apps.maps import exports, selectors
from config.caching import cache_for_visitors


@cache_for_visitors
def map_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    argument_map = selectors.latest_map(topic)
    context = {
        "topic": topic,
        "argument_map": argument_map,
        "dirty": selectors.is_dirty(topic),
        "outline": selectors.map_outline(argument_map) if argument_map else [],
        "formats": exports.FORMATS,
    }
    return render(request, "maps/map.html", context)


def map_status(request, slug):
    """The htmx fragment saying which version is served and whether a rebuild is pending."""
    topic = get_object_or_404(Topic, slug=slug)
    context = {
        "topic": topic,
        "argument_map": selectors.latest_map(topic),
        "dirty": selectors.is_dirty(topic),
    }
    return render(request, "maps/partials/status.html", context)


def map_export(request, slug, format):
    topic = get_object_or_404(Topic, slug=slug)
    argument_map = selectors.latest_map(topic)
    if format not in exports.FORMATS or argument_map is None:
        raise Http404("No such map or format.")
    return export_response(argument_map, format)


def export_response(argument_map, format: str) -> HttpResponse:
    response = HttpResponse(
        exports.export_map(argument_map, format), content_type=exports.FORMATS[format][0]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(argument_map, format)}"'
    )
    return response
