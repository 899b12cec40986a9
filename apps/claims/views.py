from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit import UNSAFE

from apps.accounts.decorators import login_required_to
from apps.claims import selectors
from apps.claims.forms import WITHDRAW, EndorsementForm, TagRowsForm
from apps.claims.models import Claim
from apps.claims.permissions import check_tag_post
from apps.claims.services.endorsements import endorsement_set, endorsement_withdraw
from apps.claims.services.tags import post_tags_set
from apps.forum.models import Post, Topic
from apps.maps.selectors import claim_relations, is_dirty, latest_version
from config.caching import cache_for_visitors
from config.limits import limited

STANCE_PARAMS = {"supports": "supporting", "opposes": "opposing"}  # a page's cursor in the URL
ENDORSED = {
    "supports": "Saved: you support this claim.",
    "opposes": "Saved: you oppose this claim.",
    WITHDRAW: "Withdrawn: you no longer endorse this claim.",
}


@cache_for_visitors
def claim_detail(request, pk):
    claim = get_object_or_404(Claim.objects.select_related("topic", "merged_into"), pk=pk)
    if claim.merged_into_id:
        return redirect(claim.merged_into)
    argument_map = latest_version(claim.topic)
    context = {
        "claim": claim,
        "topic": claim.topic,
        "argument_map": argument_map,
        "dirty": is_dirty(claim.topic),
        "relations": claim_relations(argument_map, claim.pk),
        "card_path": [claim.pk],  # a card's focus link: the path starts here
        "posts": selectors.claim_posts(
            claim=claim,
            cursors={
                stance: selectors.PostCursor.parse(
                    after=request.GET.get(f"{param}_after"),
                    before=request.GET.get(f"{param}_before"),
                )
                for stance, param in STANCE_PARAMS.items()
            },
        ),
        "endorsement": selectors.endorsement_of(claim=claim, user=request.user),
    }
    return render(request, "claims/claim.html", context)


@require_POST
@login_required_to("endorse this claim")
@limited("endorse", method=UNSAFE)  # one budget with the API's PUT and DELETE
def claim_endorse(request, pk):
    """Support, oppose or withdraw: with htmx, answer with the endorsement partial to swap in
    place; without JavaScript, go back to the claim page with a message."""
    claim = get_object_or_404(Claim.objects.select_related("merged_into"), pk=pk).canonical
    htmx = bool(request.headers.get("HX-Request"))
    form = EndorsementForm(request.POST)
    if not form.is_valid():  # no page of ours sends another stance
        raise BadRequest("Choose “supports”, “opposes” or “withdraw”.")
    stance = form.cleaned_data["stance"]
    refusal = _endorse(claim, request.user, stance)
    if htmx:
        return _endorsement_partial(request, claim, refusal)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, ENDORSED[stance])
    return redirect(claim)


def _endorse(claim: Claim, member, stance: str) -> str | None:
    """Take the member's stance, or withdraw it; why it was refused, if it was."""
    try:
        if stance == WITHDRAW:
            endorsement_withdraw(claim=claim, member=member)
        else:
            endorsement_set(claim=claim, member=member, stance=stance)
    except ValidationError as error:
        return error.messages[0]
    return None


def _endorsement_partial(request, claim: Claim, refusal: str | None = None):
    endorsement = selectors.endorsement_of(claim=claim, user=request.user)
    context = {"claim": claim, "endorsement": endorsement, "endorsement_refusal": refusal}
    return render(request, "claims/partials/endorsement.html", context)


def claim_suggestions(request, slug):
    """The htmx fragment listing the topic's claims most like what is being typed."""
    topic = get_object_or_404(Topic, slug=slug)
    query = request.GET.get("q") or next(
        (value for value in request.GET.values() if value.strip()), ""
    )
    claims = selectors.similar_claims(topic=topic, query=query)
    return render(request, "claims/partials/suggestions.html", {"claims": claims, "query": query})


@login_required_to("change this post's claims")
@require_http_methods(["GET", "POST"])
def post_tags_edit(request, pk):
    post = get_object_or_404(Post.objects.select_related("thread__topic", "author"), pk=pk)
    check_tag_post(request.user, post)
    form = TagRowsForm(request.POST or None, initial=TagRowsForm.initial_for(post))
    if form.is_valid():
        try:
            post_tags_set(post=post, actor=request.user, tags=form.cleaned_tags())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(post)
    context = {"post": post, "thread": post.thread, "topic": post.thread.topic, "form": form}
    return render(request, "claims/post_tags.html", context)
