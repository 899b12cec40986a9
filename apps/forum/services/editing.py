"""Editing: an author changes what they wrote, keeping every earlier version."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.claims.services.tags import TagInput, check_tag_inputs, post_tags_set
from apps.core.text import BODY, clean_text
from apps.forum.models import Post, PostRevision
from apps.forum.permissions import check_edit_post, check_topic_open
from apps.forum.services.post_state import post_touches_map
from apps.forum.services.posting import check_response, set_body
from apps.forum.services.topics import writing_in
from apps.maps.services import map_mark_dirty


def post_edit(
    *,
    post: Post,
    editor,
    body: str | None = None,
    tags: Sequence[TagInput] | None = None,
    response: str | None = None,
) -> Post:
    """Change what the author wrote: the body (keeping the earlier version), the tags and the
    response to the parent post. Each is left as it is when None."""
    check_edit_post(editor, post)
    check_topic_open(post.thread.topic)
    if post.is_tombstone:
        raise ValidationError("A deleted or removed post cannot be edited.", code="tombstone")
    body = None if body is None else clean_text(body, BODY)
    check_tag_inputs(tags or [])
    if response is not None:
        check_response(response, opening_post=post.parent_id is None)
    with writing_in(post.thread.topic):
        if body is not None and body != post.body:
            _revise(post, body)
        if tags is not None:
            post_tags_set(post=post, actor=editor, tags=tags)
        if response is not None and response != post.response:
            post.response = response
            post.save(update_fields=["response"])
            if post_touches_map(post):
                map_mark_dirty(topic=post.thread.topic)
    return post


def _revise(post: Post, body: str) -> None:
    """Keep the post's current body as a revision, then replace it. Caller is inside a
    transaction."""
    PostRevision.objects.create(post=post, body=post.body, written=post.edited or post.created)
    set_body(post, body)
    post.edited = timezone.now()
    post.save(update_fields=["body", "body_html", "edited"])
