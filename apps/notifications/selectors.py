"""Reads of a member's notifications, saying of each only what the member may still see."""

from django.utils.html import strip_tags
from django.utils.text import Truncator

from apps.notifications.models import Notification, Watch
from apps.notifications.permissions import can_see_post

EXCERPT_LENGTH = 200
HEADER_MAX = 99


def notifications_of(member):
    """The member's notifications, newest first, with what the list shows of each."""
    return member.notifications.select_related("post", "actor").order_by("-created", "-pk")


def with_excerpts(notifications, member) -> list[Notification]:
    """The notifications, each with `excerpt`: the first words of its post, or "" when there
    is none or the member may no longer read it (`post_gone` then says so)."""
    notes = list(notifications)
    for note in notes:
        visible = can_see_post(member, note.post)
        note.post_gone = note.post_id is not None and not visible
        note.excerpt = (
            Truncator(strip_tags(note.post.body_html).strip()).chars(EXCERPT_LENGTH)
            if visible
            else ""
        )
    return notes


def unread_count(member) -> int:
    """One indexed count (user, read, -created)."""
    return Notification.objects.filter(user=member, read=False).count()


def unread_for_header(member) -> int | str:
    """The header's count of the member's unread notifications, "99+" past HEADER_MAX: every
    page a member sees counts them, and a watcher of busy threads leaves thousands unread."""
    unread = Notification.objects.filter(user=member, read=False)[: HEADER_MAX + 1].count()
    return f"{HEADER_MAX}+" if unread > HEADER_MAX else unread


def is_watching(*, member, thread) -> bool:
    return member.is_authenticated and Watch.objects.filter(user=member, thread=thread).exists()
