"""Who may manage topics, and what an archived topic allows: `can_*` answer for templates
and serializers, `check_*` raise the error a user reads."""

from django.core.exceptions import PermissionDenied

from apps.forum.models import Topic

ARCHIVED = "This topic is archived: it is read-only. A moderator can unarchive it."


def can_manage_topics(user) -> bool:
    """Site-wide moderators (the moderators group carries forum.add_topic and
    forum.change_topic) create, edit, archive and unarchive topics."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.has_perm("forum.add_topic")
        and user.has_perm("forum.change_topic")
    )


def check_manage_topics(user, action: str) -> None:
    if not can_manage_topics(user):
        raise PermissionDenied(f"Only moderators can {action}.")


def can_write_in(topic: Topic) -> bool:
    """Whether the topic takes new threads, replies, edits, tags, endorsements and merges."""
    return not topic.archived


def check_topic_open(topic: Topic) -> None:
    if not can_write_in(topic):
        raise PermissionDenied(ARCHIVED)
