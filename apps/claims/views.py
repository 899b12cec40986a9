from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from apps.claims import selectors, services
from apps.claims.forms import TagRowsForm
from apps.claims.models import Claim
from apps.forum.models import Post, Topic
from apps.maps.selectors import claim_relations, latest_map
from config.caching import cache_for_visitors


@cache_for_visitors
def claim_detail(request, pk):
    claim = get_object_or_404(Claim.objects.select_related("topic", "merged_into"), pk=pk)
    if claim.merged_into_id:
        return redirect(claim.merged_into)
    argument_map = latest_map(claim.topic)
    context = {
        "claim": claim,
        "topic": claim.topic,
        "argument_map": argument_map,
        "relations": claim_relations(argument_map, claim.pk),
        "posts": selectors.claim_posts(claim=claim),
    }
    return render(request, "claims/claim.html", context)


def claim_suggestions(request, slug):
    """The htmx fragment listing the topic's claims most like what is being typed."""
    topic = get_object_or_404(Topic, slug=slug)
    query = request.GET.get("q") or next(
        (value for value in request.GET.values() if value.strip()), ""
    )
    claims = selectors.similar_claims(topic=topic, query=query)
    return render(request, "claims/partials/suggestions.html", {"claims": claims, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def post_tags_edit(request, pk):
    post = get_object_or_404(Post.objects.select_related("thread__topic", "author"), pk=pk)
    if not services.can_tag(request.user, post):
        raise PermissionDenied("Only the post's author or a moderator can change its tags.")
    form = TagRowsForm(request.POST or None, initial=TagRowsForm.initial_for(post))
    if form.is_valid():
        try:
            services.post_tags_set(post=post, actor=request.user, tags=form.cleaned_tags())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(post)
    context = {"post": post, "thread": post.thread, "topic": post.thread.topic, "form": form}
    return render(request, "claims/post_tags.html", context)
