"""Post bodies: Markdown to sanitized HTML, with @mentions of real users linked."""

import html
import re

import nh3
from django.contrib.auth import get_user_model
from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

MENTION = re.compile(r"@([\w.+-]*\w)")

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
# A tag of the sanitized HTML, its quoted attribute values whole (they may hold a ">").
TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def render_body(body: str) -> str:
    """The sanitized HTML for a post body; one query finds the mentioned users."""
    mentionable = _existing_usernames(MENTION.findall(body))
    markdown = _markdown(mentionable)
    return nh3.clean(
        markdown.render(body),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )


def plain_excerpt(body_html: str, chars: int) -> str:
    """How a rendered post begins, as plain text of at most `chars` characters: for lists
    that quote posts. A regular expression suffices, as the HTML is render_body's, sanitized;
    the caller escapes the text like any other. Only the HTML's beginning is read: eight
    characters of markup for one of text is more than posts use."""
    head = body_html[: chars * 8]
    if head.rfind("<") > head.rfind(">"):  # cut inside a tag: drop what is left of it
        head = head[: head.rfind("<")]
    text = " ".join(html.unescape(TAG.sub(" ", head)).split())
    if len(text) <= chars:
        return text
    return text[: chars - 1].rsplit(" ", 1)[0] + "…"  # whole words, as the reader sees them


def mentioned_usernames(body: str) -> set[str]:
    """The usernames, as spelled, of the existing members the body mentions: exactly the
    mentions render_body links (none in code, for one)."""
    if "@" not in body:
        return set()
    env: dict = {}
    _markdown(_existing_usernames(MENTION.findall(body))).parse(body, env)
    return env.get("mentions", set())


def _existing_usernames(candidates: list[str]) -> dict[str, str]:
    """Lower-cased mention -> the username as spelled, for users who exist."""
    wanted = {name.lower() for name in candidates}
    if not wanted:
        return {}
    users = get_user_model().objects.filter(username__iregex=_any_of(wanted), is_active=True)
    return {name.lower(): name for name in users.values_list("username", flat=True)}


def _any_of(names: set[str]) -> str:
    return "^(" + "|".join(re.escape(name) for name in sorted(names)) + ")$"


def _markdown(mentionable: dict[str, str]) -> MarkdownIt:
    markdown = MarkdownIt("commonmark", {"linkify": True, "html": False})
    markdown.enable(["linkify", "table", "strikethrough"])
    markdown.inline.ruler.before("emphasis", "mention", _mention_rule(mentionable))
    markdown.add_render_rule("image", _render_image_as_link)
    return markdown


def _mention_rule(mentionable: dict[str, str]):
    def mention(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != "@":
            return False
        if state.pos > 0 and (
            state.src[state.pos - 1].isalnum() or state.src[state.pos - 1] in "_@"
        ):
            return False
        match = MENTION.match(state.src, state.pos)
        username = match and mentionable.get(match.group(1).lower())
        if not username:
            return False
        if not silent:
            state.env.setdefault("mentions", set()).add(username)
            link = state.push("link_open", "a", 1)
            link.attrs = {
                "href": reverse("accounts:profile", kwargs={"username": username}),
                "class": "mention",
            }
            state.push("text", "", 0).content = "@" + match.group(1)
            state.push("link_close", "a", -1)
        state.pos = match.end()
        return True

    return mention


def _render_image_as_link(renderer, tokens, idx, options, env) -> str:
    # A remote image would let any poster track every reader; show a link instead.
    image = tokens[idx]
    src = image.attrGet("src") or ""
    alt = renderer.renderInlineAsText(image.children or [], options, env) or src
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt)}</a>'
