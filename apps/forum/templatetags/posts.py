"""A post's HTML: its meta line, body, claim chips, action links, and the reply tree of the
thread page and a post's page.

Written in Python rather than as template partials because a thread page shows up to 80
posts: through {% include %}s and {% url %}s Django's template engine spent about 0.35 ms
on each (bench figure 1), this takes under 0.03 ms. Every page that shows a post uses
these tags, so a post looks the same everywhere.
"""

from dataclasses import dataclass
from datetime import datetime
from html import unescape

from django import template
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime

from apps.claims.permissions import can_tag_any_post
from apps.forum.links import profile_url, reverse_id
from apps.forum.models import Post, Thread
from apps.forum.permissions import can_edit_post, can_write_in
from apps.forum.rendering import plain_excerpt
from apps.forum.selectors import PostNode
from apps.moderation.permissions import REMOVE_POSTS, can_moderate, can_report_post

register = template.Library()

GIST_WORDS = 12  # of a post shown as one line of context
LISTED_CHARS = 280  # of a post shown in a list of posts


@dataclass(frozen=True)
class Viewer:
    """What the reader may do on a page: the moderators' rights looked up once, not once a
    post (they read the database); the author's, once a post, from the page's thread."""

    user: object
    thread: Thread
    read_only: bool  # a locked thread, or an archived topic
    can_tag: bool
    can_remove: bool

    @classmethod
    def of(cls, user, thread: Thread) -> "Viewer":
        writable = can_write_in(thread.topic)
        return cls(
            user=user,
            thread=thread,
            read_only=thread.locked or not writable,
            can_tag=writable and can_tag_any_post(user),
            can_remove=writable and can_moderate(user, REMOVE_POSTS),
        )

    def can_edit(self, post: Post) -> bool:
        return not self.read_only and can_edit_post(self.user, post, thread=self.thread)


@register.simple_tag(takes_context=True)
def post_tree(context, nodes: list[PostNode], thread: Thread) -> SafeString:
    """The <li> of each node, with its replies nested in it."""
    viewer = Viewer.of(context.get("user"), thread)
    html: list[str] = []
    for node in nodes:
        _node(node, viewer, html)
    return mark_safe("".join(html))


@register.simple_tag(takes_context=True)
def post_actions(context, post: Post, thread: Thread) -> SafeString:
    return mark_safe(_actions(post, Viewer.of(context.get("user"), thread)))


@register.simple_tag
def post_meta(post: Post) -> SafeString:
    """Who wrote it, how it answers its parent, when, and how many replies are below it."""
    who = _who(post)
    response = ""
    if post.depth > 0 and post.response != Post.Response.NEUTRAL and not post.is_tombstone:
        kind = escape(post.response)
        response = f'<span class="response response-{kind}">{kind}s</span>'
    created = template_localtime(post.created)
    when = f'<time datetime="{created.isoformat()}">{_day_and_time(created)}</time>'
    edited = (
        ' · <span class="edited">edited</span>' if post.edited and not post.is_tombstone else ""
    )
    replies = ""
    if post.descendant_count:  # what collapsing it hides
        count = post.descendant_count
        replies = f'<span class="reply-count">· {count} {_replies(count)}</span>'
    return mark_safe(f"{who}\n{response}\n· {when}{edited}\n{replies}\n")


@register.simple_tag
def post_gist(post: Post) -> SafeString:
    """A post in one line, as context above another: who wrote it, and its first words."""
    if post.is_tombstone:
        words = post.get_state_display()
    else:
        words = Truncator(unescape(strip_tags(post.body_html))).words(GIST_WORDS)
    return mark_safe(f'{_who(post)} <span class="gist">{escape(words)}</span>')


@register.simple_tag
def post_listed(post: dict) -> SafeString:
    """A visible post in a list drawn from many threads (a claim's posts: a row of
    apps.claims.selectors.LISTED): who wrote it, in which thread, when, and how it begins,
    as plain text."""
    username = post["username"]
    author = (
        f'<a href="{profile_url(username)}">{escape(username)}</a>'
        if username is not None
        else '<span class="deleted-user">deleted user</span>'
    )
    created = template_localtime(post["created"])
    link = f"{reverse_id('forum:post', post['post_id'])}#post-{post['post_id']}"
    where = f'<a href="{link}">“{escape(post["thread_title"])}”</a>'
    when = f'<time datetime="{created.isoformat()}">{_day_and_time(created)}</time>'
    excerpt = escape(plain_excerpt(post["body_html"], LISTED_CHARS))
    return mark_safe(
        f'<p class="meta">{author} in {where} · {when}</p>\n<p class="body">{excerpt}</p>\n'
    )


def _who(post: Post) -> str:
    if post.state == Post.State.DELETED:
        return '<span class="who">[deleted]</span>'
    if post.author:
        return f'<span class="who">{escape(post.author.username)}</span>'
    return '<span class="who deleted-user">deleted user</span>'


@register.simple_tag
def post_body(post: Post) -> SafeString:
    """The body and its claim chips, or the tombstone's line."""
    if post.state == Post.State.DELETED:
        return mark_safe('<p class="tombstone-text">deleted by creator</p>\n')
    if post.state == Post.State.REMOVED:
        reason = f": {escape(post.removal_reason)}" if post.removal_reason else ""
        return mark_safe(f'<p class="tombstone-text">removed by moderator{reason}</p>\n')
    meta = f'<p class="meta">{post_meta(post)}</p>\n' if post.depth == 0 else ""
    return mark_safe(f'{meta}<div class="body">{post.body_html}</div>\n{_chips(post)}')


def _node(node: PostNode, viewer: Viewer, html: list[str]) -> None:
    post = node.post
    tombstone = " tombstone" if post.is_tombstone else ""
    html.append(
        f'<li class="node depth-{post.depth}">\n'
        f'<details open class="post{tombstone}" id="post-{post.pk}">\n'
        f"<summary>{post_meta(post)}</summary>\n"
    )
    if node.detached:
        html.append(
            f'<p class="context"><a href="{reverse_id("forum:post", post.parent_id)}">'
            "in reply to an earlier post</a></p>\n"
        )
    html.append(post_body(post))
    html.append(_actions(post, viewer))
    if node.replies:
        html.append('<ol class="replies">\n')
        for reply in node.replies:
            _node(reply, viewer, html)
        html.append("</ol>\n")
    if node.unseen_replies > 0:
        html.append(
            f'<p class="continue"><a href="{reverse_id("forum:post", post.pk)}">'
            "Continue this thread"
            f" ({node.unseen_replies} more {_replies(node.unseen_replies)}) →"
            "</a></p>\n"
        )
    html.append("</details>\n</li>\n")


def _actions(post: Post, viewer: Viewer) -> str:
    locked = viewer.read_only
    permalink = f"{reverse_id('forum:post', post.pk)}#post-{post.pk}"
    links = [f'<a href="{permalink}" aria-label="link to this post">link</a>']
    if not post.is_tombstone:
        if post.author:
            links.append(f'<a href="{profile_url(post.author.username)}">profile</a>')
        if not locked and post.depth > 0:
            reply = reverse_id("forum:reply", post.pk)
            links.append(
                f'<a href="{reply}" hx-get="{reply}" hx-target="#reply-slot-{post.pk}"'
                ' hx-swap="innerHTML">reply</a>'
            )
        if post.edited:
            links.append(f'<a href="{reverse_id("forum:post_revisions", post.pk)}">history</a>')
        if viewer.can_tag:
            links.append(f'<a href="{reverse_id("claims:post_tags", post.pk)}">tags</a>')
        if viewer.can_edit(post):
            links.append(f'<a href="{reverse_id("forum:post_edit", post.pk)}">edit</a>')
            if post.depth > 0:
                links.append(f'<a href="{reverse_id("forum:post_delete", post.pk)}">delete</a>')
        if can_report_post(viewer.user, post):
            links.append(f'<a href="{reverse_id("moderation:report_post", post.pk)}">report</a>')
    if viewer.can_remove and post.depth > 0:
        if post.state == Post.State.VISIBLE:
            links.append(f'<a href="{reverse_id("moderation:remove", post.pk)}">remove</a>')
        elif post.state == Post.State.REMOVED:
            links.append(f'<a href="{reverse_id("moderation:restore", post.pk)}">restore</a>')
    return (
        '<p class="actions">\n'
        + "\n".join(links)
        + f'\n</p>\n<div id="reply-slot-{post.pk}" class="reply-slot"></div>\n'
    )


def _chips(post: Post) -> str:
    tags = getattr(post, "claim_tags", None)  # prefetched by the selectors
    if tags is None:
        tags = post.tags.select_related("claim").order_by("pk")
    if not tags:
        return ""
    chips = []
    for tag in tags:
        stance = "✓ supports" if tag.stance == "supports" else "✗ opposes"
        chips.append(
            f'<li><a class="chip chip-{escape(tag.stance)}"'
            f' href="{reverse_id("claims:claim", tag.claim_id)}">'
            f'<span class="stance">{stance}</span>'
            f" {escape(tag.claim.text)}</a></li>"
        )
    return '<ul class="chips" aria-label="Claims">\n' + "\n".join(chips) + "\n</ul>\n"


def _day_and_time(moment: datetime) -> str:
    """`moment|date:"j M Y, H:i"`, without parsing the format again for every post, nor
    translating the month's name: the site is in English (no LocaleMiddleware), and %b in
    the C locale, which Python keeps unless told otherwise, is Django's English "M"."""
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def _replies(count: int) -> str:
    return "reply" if count == 1 else "replies"
