import pytest

from apps.forum.rendering import plain_excerpt, render_body
from tests.factories import UserFactory
from tests.html_checks import active_content

pytestmark = pytest.mark.django_db


def test_markdown_becomes_html():
    html = render_body("**bold** and *em*\n\n> quoted\n\n- item\n\n`code`")
    for fragment in [
        "<strong>bold</strong>",
        "<em>em</em>",
        "<blockquote>",
        "<li>item</li>",
        "<code>code</code>",
    ]:
        assert fragment in html


def test_links_are_marked_nofollow_ugc():
    html = render_body("[source](https://arxiv.org/abs/1611.02200) and https://example.org")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.org"' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![pixel](data:image/png;base64,iVBORw0KGgo=)",
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "<iframe src=https://evil.example>",
        '[x](https://ok.example "title" onmouseover=alert(1))',
        '<div style="background:url(javascript:alert(1))">',
    ],
)
def test_hostile_markup_is_rendered_inert(payload):
    assert active_content(render_body(payload)) == []


def test_images_become_plain_links_so_no_reader_is_tracked():
    html = render_body("![a diagram](https://example.org/d.png)")
    assert "<img" not in html
    assert '<a href="https://example.org/d.png" rel="nofollow ugc noopener">a diagram</a>' in html


def test_mentions_of_existing_users_link_to_their_profiles():
    UserFactory(username="raccoona_nongrata")
    html = render_body("@raccoona_nongrata @nobody_here, thanks")
    assert '<a href="/u/raccoona_nongrata/" class="mention"' in html
    assert "@nobody_here" in html and "/u/nobody_here/" not in html


def test_mentions_are_matched_without_regard_to_case_and_keep_the_real_name_in_the_link():
    UserFactory(username="Harrison")
    assert 'href="/u/Harrison/"' in render_body("@harrison thank you")


def test_no_mention_inside_code_or_an_email_address():
    UserFactory(username="bob")
    html = render_body("`@bob` and bob@example.org and mail@bob")
    assert "/u/bob/" not in html


def test_inactive_users_are_not_mentioned():
    UserFactory(username="gone", is_active=False)
    assert "/u/gone/" not in render_body("@gone")


def test_an_excerpt_is_the_posts_text_without_markup_or_entities():
    html = render_body('**Fair** use & [the "ruling"](https://example.com/a>b "x>y") <b>')

    assert plain_excerpt(html, 200) == 'Fair use & the "ruling" <b>'


def test_a_long_post_is_cut_at_a_word_within_the_length_with_an_ellipsis():
    html = render_body("Training on public images is not theft, " * 20)

    excerpt = plain_excerpt(html, 60)

    assert excerpt == "Training on public images is not theft, Training on public…"


def test_an_excerpt_never_shows_part_of_a_tag_cut_by_the_length():
    html = "<p>" + "word " * 30 + '<a href="https://example.com/' + "x" * 200 + '">link</a></p>'

    assert "<" not in plain_excerpt(html, 20) and "href" not in plain_excerpt(html, 20)
