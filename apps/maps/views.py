from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control

from apps.claims.models import Claim
from apps.claims.selectors import endorsement_of
from apps.forum.models import Topic
from apps.maps import exports, live, selectors
from apps.maps.forms import MAX_PATH, FocusForm, OverviewForm
from apps.maps.neighbourhood import claim_neighbourhood
from config.caching import cache_for_visitors


@cache_for_visitors
def map_detail(request, slug):
    """The overview: the topic's main claims (or all, or those like `q`), a page at a time."""
    topic = get_object_or_404(Topic, slug=slug)
    argument_map = selectors.latest_version(topic)
    form = OverviewForm(request.GET)
    query, show = form.value("q", ""), form.value("show", "main")
    context = {
        "topic": topic,
        "argument_map": argument_map,
        "dirty": selectors.is_dirty(topic),
        "query": query,
        "show": show,
        "page": argument_map
        and selectors.map_overview(
            argument_map, query=query, main_only=show == "main", page=form.value("page", 1)
        ),
        "formats": exports.FORMATS,
    }
    return render(request, "maps/map.html", context)


@cache_for_visitors
def map_focus(request, slug, claim_id):
    """A claim in focus: what supports and attacks it side by side, the path taken to it."""
    topic = get_object_or_404(Topic, slug=slug)
    claim = get_object_or_404(Claim, topic=topic, pk=claim_id)
    if claim.merged_into_id:
        target = reverse("maps:focus", args=[slug, claim.merged_into_id])
        return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)
    form = FocusForm(request.GET)
    argument_map = selectors.latest_version(topic)
    relations = selectors.claim_relations(
        argument_map, claim.pk, more=form.value("more"), page=form.value("page", 1)
    )
    crumbs = selectors.focus_path(argument_map, form.value("path", [])) if relations.node else []
    path = [crumb.claim.claim_id for crumb in crumbs]
    context = {
        "topic": topic,
        "claim": claim,
        "argument_map": argument_map,
        "dirty": selectors.is_dirty(topic),
        "relations": relations,
        "crumbs": crumbs,
        "path": path,
        "card_path": (path + [claim.pk])[-MAX_PATH:],  # the path of a card's focus link
        "endorsement": endorsement_of(claim=claim, user=request.user),
    }
    return render(request, "maps/focus.html", context)


def map_status(request, slug):
    """The live poll: {"version": n, "dirty": bool}. Its ETag changes with either, so a
    browser that revalidates (no-cache) gets a bodiless 304 while nothing changed."""
    status = live.map_status(slug=slug)
    if status is None:
        raise Http404("No such topic.")
    response = JsonResponse({"version": status.version, "dirty": status.dirty})
    response["ETag"] = status.etag
    patch_cache_control(response, no_cache=True)
    return get_conditional_response(request, etag=status.etag, response=response)


def map_neighbourhood(request, slug, claim_id):
    """The graph view's data: the claim's neighbourhood in the latest map, as JSON."""
    topic = Topic.objects.filter(slug=slug).first()
    neighbourhood = topic and claim_neighbourhood(topic=topic, claim_id=claim_id)
    if not neighbourhood:
        return JsonResponse(
            {"error": "This claim is not on the topic's latest map: no graph to draw."},
            status=404,
        )
    return JsonResponse(neighbourhood.as_json())


@cache_for_visitors
def map_whole(request, slug):
    """The whole map, drawn only once the reader has read its size and asked for it."""
    topic = get_object_or_404(Topic, slug=slug)
    argument_map = selectors.latest_version(topic)
    if argument_map is None:
        raise Http404("No map built yet.")
    context = {
        "topic": topic,
        "argument_map": argument_map,
        "relations": argument_map.stats["supports"] + argument_map.stats["attacks"],
        "formats": exports.FORMATS,
    }
    return render(request, "maps/whole.html", context)


def map_export(request, slug, format):
    topic = get_object_or_404(Topic, slug=slug)
    argument_map = selectors.latest_map(topic)
    if format not in exports.FORMATS or argument_map is None:
        raise Http404("No such map or format.")
    return exports.export_response(argument_map, format)
