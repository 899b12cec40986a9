"""A member's profile: their visible posts, the claims they made and the claims they endorse
or dispute, each claim with its standing on its topic's latest map."""

from django.core.paginator import Page, Paginator

from apps.accounts.models import User
from apps.claims.models import Claim, Endorsement
from apps.forum.models import Post
from apps.maps.selectors import rows_on_latest_maps

PER_PAGE = 20
# The profile's lists, as its tabs name them (?show=...).
LISTS = {"posts": "Posts", "claims": "Claims made", "endorsements": "Endorsed or disputed"}


def member_posts(member: User):
    return (
        Post.objects.visible()
        .filter(author=member)
        .select_related("thread__topic")
        .order_by("-created", "-pk")
    )


def member_claims(member: User):
    """The active claims the member put into words first, newest first."""
    return (
        Claim.objects.active()
        .filter(created_by=member)
        .select_related("topic")
        .order_by("-created", "-pk")
    )


def member_endorsements(member: User):
    """The member's endorsements (supports or opposes), latest change first."""
    return (
        Endorsement.objects.filter(user=member)
        .select_related("claim__topic")
        .order_by("-updated", "-pk")
    )


def profile_page(*, member: User, show: str, page: str | int | None) -> Page:
    """One page of the list `show` (a key of LISTS); each claim on it (an endorsement's
    claim) carries `on_map`, its MapClaim row on the latest map or None."""
    rows = {
        "posts": member_posts,
        "claims": member_claims,
        "endorsements": member_endorsements,
    }[show](member)
    result = Paginator(rows, PER_PAGE).get_page(page)
    if show != "posts":
        claims = [getattr(row, "claim", row) for row in result]
        standing = rows_on_latest_maps([claim.pk for claim in claims])
        for claim in claims:
            claim.on_map = standing.get(claim.pk)
    return result
