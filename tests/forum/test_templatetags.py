import datetime
import re
import zoneinfo

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.claims.services.tags import TagInput
from apps.forum.services.editing import post_edit
from apps.forum.services.post_state import post_delete, post_remove
from apps.forum.templatetags import posts
from tests.factories import UserFactory, make_moderator, make_reply

pytestmark = pytest.mark.django_db


def actions_of(html: str, post) -> list[str]:
    """The labels of the action links under a post."""
    block = html[html.index(f'id="post-{post.pk}"') :]
    block = block[block.index('<p class="actions">') :]
    block = block[: block.index("</p>")]
    return re.findall(r">([a-z]+)</a>", block)


def test_each_reader_sees_the_actions_theirs_to_take(thread, member, logged_in):
    mine = make_reply(thread.opening_post, author=member)
    theirs = make_reply(thread.opening_post)
    moderator = Client()
    moderator.force_login(make_moderator())
    url = thread.get_absolute_url()
    visitor_page = Client().get(url).content.decode()
    member_page = logged_in.get(url).content.decode()
    moderator_page = moderator.get(url).content.decode()
    assert actions_of(visitor_page, mine) == ["link", "profile", "reply"]
    assert actions_of(member_page, mine) == ["link", "profile", "reply", "edit", "delete"]
    assert actions_of(member_page, theirs) == ["link", "profile", "reply", "report"]
    assert actions_of(moderator_page, theirs) == [
        "link", "profile", "reply", "tags", "report", "remove"
    ]  # fmt: skip


def test_a_locked_thread_offers_no_reply_or_edit(thread, member, logged_in):
    mine = make_reply(thread.opening_post, author=member)
    thread.locked = True
    thread.save()
    assert actions_of(logged_in.get(thread.get_absolute_url()).content.decode(), mine) == [
        "link",
        "profile",
    ]


def test_tombstones_keep_their_place_and_say_why(thread, member):
    deleted = make_reply(thread.opening_post, author=member)
    answer = make_reply(deleted, body="still here")
    removed = make_reply(thread.opening_post)
    post_delete(post=deleted, actor=member)
    moderator = make_moderator()
    post_remove(post=removed, moderator=moderator, reason="<b>spam</b> & eggs")
    client = Client()
    client.force_login(moderator)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert '<span class="who">[deleted]</span>' in html and "deleted by creator" in html
    assert "removed by moderator: &lt;b&gt;spam&lt;/b&gt; &amp; eggs" in html
    assert html.index(f'id="post-{deleted.pk}"') < html.index("still here")
    assert f'id="post-{answer.pk}"' in html
    assert actions_of(html, deleted) == ["link"]
    assert actions_of(html, removed) == ["link", "restore"]


def test_a_tombstone_does_not_say_edited(thread, member):
    deleted = make_reply(thread.opening_post, author=member)
    removed = make_reply(thread.opening_post, author=member)
    for post in (deleted, removed):
        post_edit(post=post, editor=member, body="second thoughts")
    post_delete(post=deleted, actor=member)
    post_remove(post=removed, moderator=make_moderator(), reason="spam")
    html = Client().get(thread.get_absolute_url()).content.decode()
    for post in (deleted, removed):
        summary = html[html.index(f'id="post-{post.pk}"') :]
        assert "edited" not in summary[: summary.index("</summary>")]


def test_the_meta_line_says_who_how_when_and_how_many_replies(thread, member):
    top = make_reply(thread.opening_post, author=member)
    answer = make_reply(top, response="disagree", author=UserFactory(username="<carol>"))
    make_reply(answer)
    make_reply(answer)
    post_edit(post=answer, editor=answer.author, body="second thoughts")
    html = Client().get(thread.get_absolute_url()).content.decode()
    summary = html[html.index(f'id="post-{answer.pk}"') :]
    summary = summary[: summary.index("</summary>")]
    assert '<span class="who">&lt;carol&gt;</span>' in summary
    assert '<span class="response response-disagree">disagrees</span>' in summary
    assert '<span class="edited">edited</span>' in summary
    assert "· 2 replies<" in summary


def test_a_top_level_reply_shows_its_response_to_the_opening_post(thread, member):
    """The opening post can carry claims, so a top-level reply's agree/disagree can count on
    the map: it is shown like any other reply's."""
    top = make_reply(thread.opening_post, author=member, response="agree")
    html = Client().get(thread.get_absolute_url()).content.decode()
    summary = html[html.index(f'id="post-{top.pk}"') :]
    summary = summary[: summary.index("</summary>")]
    assert '<span class="response response-agree">agrees</span>' in summary


def test_claim_chips_are_escaped_and_link_to_their_claims(thread, member):
    reply = make_reply(
        thread.opening_post,
        author=member,
        tags=[TagInput('Models copy <images> & "styles"', "supports")],
    )
    claim = reply.tags.get().claim
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert (
        f'<a class="chip chip-supports" href="{reverse("claims:claim", args=[claim.pk])}">'
        '<span class="stance">✓ supports</span> Models copy &lt;images&gt; &amp; &quot;styles&quot;'
    ) in html


def test_dates_read_as_the_date_filter_writes_them(thread):
    reply = make_reply(thread.opening_post)
    filtered = Template(
        '<time datetime="{{ created|date:\'c\' }}">{{ created|date:"j M Y, H:i" }}</time>'
    )
    with timezone.override(zoneinfo.ZoneInfo("Pacific/Chatham")):
        expected = filtered.render(Context({"created": reply.created}))
        assert expected in posts.post_meta(reply)


@pytest.mark.parametrize("month", range(1, 13))
def test_every_months_name_reads_as_the_date_filter_writes_it(month):
    moment = datetime.datetime(2026, month, 9, 7, 5, tzinfo=datetime.UTC)
    expected = Template('{{ moment|date:"j M Y, H:i" }}').render(Context({"moment": moment}))
    assert posts._day_and_time(moment) == expected
