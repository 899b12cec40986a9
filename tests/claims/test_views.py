import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.claims.models import Claim, Endorsement
from apps.claims.selectors import POSTS_PER_PAGE
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.forum.models import Post
from apps.forum.services.post_state import post_delete
from apps.forum.services.posting import reply_create
from apps.maps.selectors import CARDS_PER_COLUMN
from apps.maps.services import map_build
from tests.factories import UserFactory, make_reply
from tests.maps.helpers import tag_post, tags
from tests.maps.rows import star

pytestmark = pytest.mark.django_db


def reply_data(body="A reply", **tags):
    data = {"body": body, "response": "neutral"}
    for row, (claim, stance) in enumerate(tags.values(), start=1):
        data[f"claim_{row}"], data[f"stance_{row}"] = claim, stance
    return data


def test_replying_with_tags_through_the_form(thread, logged_in):
    data = reply_data(
        first=("Training is fair use", "supports"), second=("Models store copies", "opposes")
    )
    response = logged_in.post(reverse("forum:reply", args=[thread.opening_post.pk]), data)
    reply = Post.objects.get(body="A reply")
    assert response.status_code == 302
    assert {(t.claim.text, t.stance) for t in reply.tags.all()} == {
        ("Training is fair use", "supports"),
        ("Models store copies", "opposes"),
    }


def test_a_bad_tag_in_the_form_shows_why_and_saves_nothing(thread, logged_in):
    data = reply_data(first=("Fair use", "supports"), second=("fair use!", "opposes"))
    response = logged_in.post(reverse("forum:reply", args=[thread.opening_post.pk]), data)
    assert response.status_code == 200 and "tagged twice" in response.content.decode()
    assert thread.posts.count() == 1 and not Claim.objects.exists()


def test_the_thread_shows_tags_as_chips_linking_to_the_claim(thread, member):
    reply = reply_create(
        parent=thread.opening_post, author=member, body="x", tags=[TagInput("Fair use", "opposes")]
    )
    claim = reply.tags.get().claim
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert f'<a class="chip chip-opposes" href="/claims/{claim.pk}/">' in html
    assert "✗ opposes</span> Fair use" in html


def test_the_edit_form_shows_and_changes_the_tags(thread, member, logged_in):
    reply = reply_create(
        parent=thread.opening_post, author=member, body="x", tags=[TagInput("Fair use", "supports")]
    )
    form = logged_in.get(reverse("forum:post_edit", args=[reply.pk])).content.decode()
    assert 'value="Fair use"' in form
    logged_in.post(
        reverse("forum:post_edit", args=[reply.pk]), reply_data("x", first=("Copies", "opposes"))
    )
    assert reply.tags.get().claim.text == "Copies"


def test_suggestions_list_similar_claims_and_resolve_aliases(topic, member):
    target, _ = claim_create(
        topic=topic, author=member, text="Models store copies of their training images"
    )
    alias, _ = claim_create(topic=topic, author=member, text="The AI keeps a copy of every image")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    claim_create(topic=topic, author=member, text="Training is fair use")
    html = (
        Client()
        .get(reverse("claims:suggest", args=[topic.slug]), {"claim_2": "keeps copies"})
        .content.decode()
    )
    assert html.count('class="suggestion"') == 1
    assert 'data-claim="Models store copies of their training images"' in html
    assert (
        "No similar claim"
        in Client()
        .get(reverse("claims:suggest", args=[topic.slug]), {"q": "zebra"})
        .content.decode()
    )


@pytest.fixture
def debate(thread, member):
    """«Training is fair use» (alice, erin for; bob, carol against), attacked by «Models store
    copies» (carol, dave: strength 0.75) and «Artists lose income» (bob: 0.67), supported by
    «Training is transformative» (erin)."""
    bob, carol, dave, erin = (
        UserFactory(username=name) for name in ["bob", "carol", "dave", "erin"]
    )
    opening = tag_post(thread.opening_post, supports=["Training is fair use"])
    income = make_reply(
        opening,
        author=bob,
        body="Artists lose **income** & commissions to it.",
        tags=tags(supports=["Artists lose income"], opposes=["Training is fair use"]),
    )
    copies = make_reply(
        opening,
        author=carol,
        body="The model stores copies.",
        tags=tags(supports=["Models store copies"], opposes=["Training is fair use"]),
    )
    make_reply(copies, author=dave, tags=tags(supports=["Models store copies"]))
    transformative = make_reply(
        opening,
        author=erin,
        body="It transforms what it learns.",
        tags=tags(supports=["Training is fair use", "Training is transformative"]),
    )
    map_build(topic_id=thread.topic_id)
    return {"income": income, "copies": copies, "transformative": transformative}


def claim_page(text: str) -> str:
    return Client().get(Claim.objects.get(text=text).get_absolute_url()).content.decode()


def test_the_claim_page_leads_with_strength_then_people_then_the_grounded_fact(debate):
    html = claim_page("Training is fair use")
    claim_id = Claim.objects.get(text="Training is fair use").pk
    strength = html.index('<meter class="strength-bar strength-fairly-weak" min="0" max="1"')
    assert 'value="0.32" aria-label="Strength">0.32</meter>' in html
    assert '<strong class="strength-word">fairly weak</strong>' in html
    people = html.index("2 people support it · 2 oppose it")
    endorse = html.index("Log in to endorse")
    grounded = html.index('<p class="standing">Has an unanswered objection: «Artists lose income».')
    focus = html.index(f'<a href="/topics/ai-art/map/claims/{claim_id}/">Focus on the map</a>')
    cards = html.index('<h2 id="pro-heading">Supporting it</h2>')
    posts = html.index("Posts that support it")
    assert strength < people < endorse < grounded < focus < cards < posts


def test_the_claim_page_shows_attackers_strongest_first_with_the_posts_behind_them(debate):
    html = claim_page("Training is fair use")
    attackers = html[html.index('id="con-heading"') : html.index('id="neighbourhood"')]
    assert attackers.index(">Models store copies</a>") < attackers.index(">Artists lose income</a>")
    income = debate["income"]
    assert f'<a href="/posts/{income.pk}/#post-{income.pk}">post {income.pk}</a> by' in attackers
    assert '<a href="/u/bob/">bob</a>: <q>Artists lose income &amp; commissions to it.</q>' in (
        attackers
    )
    assert '<strong class="strength-word">strong</strong>' in attackers  # copies: 0.75
    supporters = html[html.index('id="pro-heading"') : html.index('id="con-heading"')]
    transformative = debate["transformative"]
    assert ">Training is transformative</a>" in supporters
    assert f'href="/posts/{transformative.pk}/#post-{transformative.pk}"' in supporters


def test_the_claim_page_lists_what_the_claim_attacks(debate):
    html = claim_page("Artists lose income")
    assert "1 person supports it · 0 oppose it" in html
    assert '<p class="standing">No objection.' in html and "No claim attacks it." in html
    bears_on = html[html.index('id="bears-on-heading"') :]
    assert "It attacks" in bears_on and ">Training is fair use</a>" in bears_on
    assert "It supports" not in bears_on


def test_a_card_shows_three_evidence_posts_and_counts_the_rest(debate, thread):
    opening = thread.opening_post
    for name in ["gil", "hal", "ivy"]:
        make_reply(
            opening,
            author=UserFactory(username=name),
            tags=tags(supports=["Artists lose income"], opposes=["Training is fair use"]),
        )
    map_build(topic_id=thread.topic_id)
    html = claim_page("Training is fair use")
    card = html[html.index(">Artists lose income</a>") :].split('<li class="card"')[0]
    assert "Drawn by 4 people in:" in card
    assert card.count('<a href="/posts/') == 3 and "and 1 more post</li>" in card


def test_a_card_focuses_its_claim_on_the_map_with_this_claim_as_the_path(debate):
    fair_use, copies = (
        Claim.objects.get(text=text).pk for text in ["Training is fair use", "Models store copies"]
    )
    html = claim_page("Training is fair use")
    focus = f'<a href="/topics/ai-art/map/claims/{copies}/?path={fair_use}">Models store copies</a>'
    assert focus in html
    assert f'data-url="/topics/ai-art/map/claims/{fair_use}/neighbourhood.json"' in html
    assert '<div id="map-live">' in html and 'id="map-status"' in html


def test_a_claim_with_many_attackers_shows_the_strongest_thirty_and_links_to_the_rest(topic):
    ids = star(topic, pros=0, cons=CARDS_PER_COLUMN + 3)
    html = Client().get(reverse("claims:claim", args=[ids[0]])).content.decode()
    against = html[html.index('id="con-heading"') : html.index('id="neighbourhood"')]
    assert against.count('<li class="card"') == CARDS_PER_COLUMN
    more = f'href="/topics/{topic.slug}/map/claims/{ids[0]}/?more=attack&amp;page=2" rel="next"'
    assert f"{more}>3 more against it</a>" in against


def test_an_evidence_post_deleted_since_the_build_says_so(debate, thread):
    income = debate["income"]
    post_delete(post=income, actor=income.author)  # the map is not rebuilt yet
    html = claim_page("Training is fair use")
    assert f'post {income.pk}</a> by <a href="/u/bob/">bob</a> ' in html
    assert "(no longer visible)" in html and "commissions" not in html


def test_an_endorsement_counts_its_member_on_the_claim_page(debate):
    fair_use = Claim.objects.get(text="Training is fair use")
    endorsement_set(claim=fair_use, member=UserFactory(username="fay"), stance="supports")
    map_build(topic_id=fair_use.topic_id)
    assert "3 people support it (1 by endorsement) · 2 oppose it" in claim_page(fair_use.text)


def test_a_claim_off_the_map_says_so(debate, member):
    untagged, _ = claim_create(topic=Claim.objects.first().topic, author=member, text="Nobody says")
    html = Client().get(untagged.get_absolute_url()).content.decode()
    assert "Not on the map yet (map version 1)" in html
    assert "<meter" not in html and "Supporting it" not in html and "Focus on the map" not in html


def test_a_merged_claims_page_redirects_to_its_target(topic, member):
    target, _ = claim_create(topic=topic, author=member, text="A")
    alias, _ = claim_create(topic=topic, author=member, text="B")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    response = Client().get(alias.get_absolute_url())
    assert response.status_code == 302 and response.url == target.get_absolute_url()


def test_moderators_edit_tags_on_any_post_members_cannot(thread, member, other_member):
    from django.contrib.auth.models import Group

    reply = make_reply(thread.opening_post, author=member)
    url = reverse("claims:post_tags", args=[reply.pk])
    intruder = Client()
    intruder.force_login(other_member)
    assert intruder.get(url).status_code == 403
    assert intruder.post(url, {"claim_1": "Sneaky", "stance_1": "supports"}).status_code == 403
    assert not reply.tags.exists()
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="moderators"))
    client = Client()
    client.force_login(moderator)
    assert client.post(url, {"claim_1": "Fair use", "stance_1": "opposes"}).status_code == 302
    assert reply.tags.get().stance == "opposes"


# --- endorsements ----------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def fair_use(topic, member):
    return claim_create(topic=topic, author=member, text="Fair use")[0]


def endorse_url(claim) -> str:
    return reverse("claims:endorse", args=[claim.pk])


def stances() -> list[tuple]:
    return list(Endorsement.objects.order_by("pk").values_list("claim", "user", "stance"))


def pressed(html: str) -> dict[str, str]:
    """Each endorsement button's stance -> its aria-pressed."""
    return {
        stance: state
        for stance, state in re.findall(r'value="(supports|opposes)" aria-pressed="(\w+)"', html)
    }


def test_the_claim_page_offers_a_member_the_endorsement_buttons(fair_use, logged_in):
    html = logged_in.get(fair_use.get_absolute_url()).content.decode()
    assert f'<form method="post" action="{endorse_url(fair_use)}"' in html
    assert f'hx-post="{endorse_url(fair_use)}"' in html and "csrfmiddlewaretoken" in html
    assert ">I support this</button>" in html and ">I oppose this</button>" in html
    assert pressed(html) == {"supports": "false", "opposes": "false"}
    assert "Withdraw" not in html  # nothing to withdraw yet


def test_a_visitor_is_offered_to_log_in_and_come_back(fair_use):
    html = Client().get(fair_use.get_absolute_url()).content.decode()
    assert f'<a href="/accounts/login/?next=/claims/{fair_use.pk}/">Log in to endorse</a>' in html
    assert "I support this" not in html and "csrfmiddlewaretoken" not in html


def test_endorsing_without_javascript_goes_back_to_the_claim_with_a_message(
    fair_use, member, logged_in
):
    response = logged_in.post(endorse_url(fair_use), {"stance": "supports"})
    assert response.status_code == 302 and response.url == fair_use.get_absolute_url()
    assert stances() == [(fair_use.pk, member.pk, "supports")]
    html = logged_in.get(response.url).content.decode()
    assert "Saved: you support this claim." in html and "You support this claim." in html
    assert pressed(html) == {"supports": "true", "opposes": "false"}
    assert ">Withdraw</button>" in html


def test_changing_and_withdrawing_without_javascript(fair_use, member, logged_in):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    logged_in.post(endorse_url(fair_use), {"stance": "opposes"})
    assert stances() == [(fair_use.pk, member.pk, "opposes")]
    response = logged_in.post(endorse_url(fair_use), {"stance": "withdraw"}, follow=True)
    assert stances() == []
    html = response.content.decode()
    assert "Withdrawn: you no longer endorse this claim." in html
    assert pressed(html) == {"supports": "false", "opposes": "false"}


def test_with_htmx_the_answer_is_the_partial_to_swap_in_place(fair_use, member, logged_in):
    response = logged_in.post(endorse_url(fair_use), {"stance": "opposes"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<main" not in html
    assert 'id="endorsement"' in html and 'hx-target="#endorsement" hx-swap="outerHTML"' in html
    assert "You oppose this claim." in html
    assert pressed(html) == {"supports": "false", "opposes": "true"}
    assert stances() == [(fair_use.pk, member.pk, "opposes")]
    page = logged_in.get(fair_use.get_absolute_url()).content.decode()
    assert "Saved:" not in page  # no message left over for the next page


def test_withdrawing_nothing_says_so_and_changes_nothing(fair_use, other_member, logged_in):
    endorsement_set(claim=fair_use, member=other_member, stance="supports")
    before = stances()
    plain = logged_in.post(endorse_url(fair_use), {"stance": "withdraw"}, follow=True)
    assert "there is nothing to withdraw" in plain.content.decode()
    partial = logged_in.post(endorse_url(fair_use), {"stance": "withdraw"}, **HTMX)
    assert partial.status_code == 200
    assert '<span class="errors">You have not endorsed «Fair use»' in partial.content.decode()
    assert stances() == before


@pytest.mark.parametrize("data", [{"stance": "maybe"}, {"stance": ""}, {}])
def test_a_bad_stance_is_a_400_and_changes_nothing(fair_use, member, logged_in, data):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    before = stances()
    assert logged_in.post(endorse_url(fair_use), data).status_code == 400
    assert logged_in.post(endorse_url(fair_use), data, **HTMX).status_code == 400
    assert stances() == before


def test_a_visitor_posting_is_sent_to_log_in_and_back_and_nothing_changes(fair_use):
    page = f"http://testserver/claims/{fair_use.pk}/"
    response = Client().post(endorse_url(fair_use), {"stance": "supports"}, HTTP_REFERER=page)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/claims/{fair_use.pk}/"
    partial = Client().post(
        endorse_url(fair_use), {"stance": "supports"}, HTTP_HX_CURRENT_URL=page, **HTMX
    )
    html = partial.content.decode()
    assert partial.status_code == 200 and "<main" not in html
    assert f'<a href="/accounts/login/?next=/claims/{fair_use.pk}/">Log in to endorse' in html
    assert stances() == []


def test_endorsing_an_alias_endorses_its_target(topic, member, logged_in):
    target, _ = claim_create(topic=topic, author=member, text="Models store copies")
    alias, _ = claim_create(topic=topic, author=member, text="The AI keeps a copy")
    Claim.objects.filter(pk=alias.pk).update(status="merged", merged_into=target)
    response = logged_in.post(endorse_url(alias), {"stance": "supports"})
    assert response.url == target.get_absolute_url()
    assert stances() == [(target.pk, member.pk, "supports")]


def test_the_endorsement_address_takes_posts_only(fair_use, logged_in):
    assert logged_in.get(endorse_url(fair_use)).status_code == 405
    assert logged_in.post(reverse("claims:endorse", args=[999_999]), {}).status_code == 404


def test_the_partial_runs_nothing_inline(fair_use, member, logged_in):
    endorsement_set(claim=fair_use, member=member, stance="supports")
    html = logged_in.post(endorse_url(fair_use), {"stance": "supports"}, **HTMX).content.decode()
    assert "<script" not in html and "style=" not in html and "hx-on" not in html


def supporting_replies(thread, claim_text: str, count: int) -> list[Post]:
    return [
        make_reply(thread.opening_post, author=UserFactory(), body=f"Reply number {index}.",
                   tags=[TagInput(claim_text, "supports")])
        for index in range(count)
    ]  # fmt: skip


def test_a_claims_posts_come_a_page_at_a_time_in_the_same_queries_however_many(thread):
    """The benchmark topic's busiest claim listed 3,712 posts in 2 MB of HTML; then each
    page was cut from all of them, sorted and counted (bench 10)."""
    few, many = "Few posts", "Many posts"
    supporting_replies(thread, few, 2)
    replies = supporting_replies(thread, many, POSTS_PER_PAGE + 5)
    map_build(topic_id=thread.topic_id)
    claims = {text: Claim.objects.get(text=text) for text in (few, many)}
    counts = []
    for claim in claims.values():
        with CaptureQueriesContext(connection) as queries:
            Client().get(claim.get_absolute_url())
        counts.append(len(queries))
    url = claims[many].get_absolute_url()
    last_shown = replies[POSTS_PER_PAGE - 1].pk

    first = Client().get(url).content.decode()
    second = Client().get(url, {"supporting_after": last_shown}).content.decode()
    back = Client().get(url, {"supporting_before": replies[POSTS_PER_PAGE].pk}).content.decode()

    assert counts[0] == counts[1]
    assert "Reply number 0." in first and f"Reply number {POSTS_PER_PAGE}." not in first
    assert f"?supporting_after={last_shown}" in first and 'rel="prev"' not in first
    assert f"Reply number {POSTS_PER_PAGE}." in second and "Reply number 0." not in second
    assert f"Reply number {len(replies) - 1}." in second and 'rel="next"' not in second
    assert f"?supporting_before={replies[POSTS_PER_PAGE].pk}" in second
    assert back.count("Reply number") == POSTS_PER_PAGE and "Reply number 0." in back


def test_paging_one_stance_keeps_the_others_page(thread):
    replies = supporting_replies(thread, "Paged", POSTS_PER_PAGE + 1)
    claim = Claim.objects.get(text="Paged")

    html = (
        Client()
        .get(claim.get_absolute_url(), {"supporting_after": replies[0].pk, "opposing_after": "7"})
        .content.decode()
    )

    assert "opposing_after=7" in html.split('rel="prev"')[1].split(">")[0]


@pytest.mark.parametrize("cursor", ["x", "-1", "0", "1;drop", "9" * 30, "１２", "", "%00"])
def test_a_bad_cursor_of_a_claims_posts_gives_the_first_page(thread, cursor):
    supporting_replies(thread, "Some posts", 3)
    claim = Claim.objects.get(text="Some posts")

    response = Client().get(
        claim.get_absolute_url(), {"supporting_after": cursor, "opposing_before": cursor}
    )

    assert response.status_code == 200
    assert "Reply number 0." in response.content.decode()


def test_a_cursor_past_every_post_says_so_and_links_back_to_the_first(thread):
    replies = supporting_replies(thread, "Few", 2)
    claim = Claim.objects.get(text="Few")

    html = Client().get(claim.get_absolute_url(), {"supporting_after": replies[-1].pk}).content
    html = html.decode()

    assert "Reply number" not in html
    assert f'No posts here: <a href="{claim.get_absolute_url()}">back to the first ones</a>' in html


def test_a_claims_page_lists_the_posts_of_its_aliases(thread, member):
    target, _ = claim_create(topic=thread.topic, author=member, text="Styles are free")
    alias, _ = claim_create(topic=thread.topic, author=member, text="A style is free")
    make_reply(thread.opening_post, author=member, body="Tagged with the alias.",
               tags=[TagInput(alias.pk, "supports")])  # fmt: skip
    Claim.objects.filter(pk=alias.pk).update(status=Claim.Status.MERGED, merged_into=target)

    html = Client().get(target.get_absolute_url()).content.decode()

    assert "Tagged with the alias." in html
