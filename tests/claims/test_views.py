import pytest
from django.test import Client
from django.urls import reverse

from apps.claims.models import Claim
from apps.claims.services import TagInput, claim_create
from apps.forum import services as forum
from apps.forum.models import Post
from apps.maps.services import map_build
from tests.factories import UserFactory, make_reply

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
    reply = forum.reply_create(
        parent=thread.opening_post, author=member, body="x", tags=[TagInput("Fair use", "opposes")]
    )
    claim = reply.tags.get().claim
    html = Client().get(thread.get_absolute_url()).content.decode()
    assert f'<a class="chip chip-opposes" href="/claims/{claim.pk}/">' in html
    assert "✗ opposes</span> Fair use" in html


def test_the_edit_form_shows_and_changes_the_tags(thread, member, logged_in):
    reply = forum.reply_create(
        parent=thread.opening_post, author=member, body="x", tags=[TagInput("Fair use", "supports")]
    )
    form = logged_in.get(reverse("forum:post_edit", args=[reply.pk])).content.decode()
    assert 'value="Fair use"' in form
    logged_in.post(
        reverse("forum:post_edit", args=[reply.pk]), reply_data("x", first=("Copies", "opposes"))
    )
    assert reply.tags.get().claim.text == "Copies"


def test_suggestions_list_similar_claims_and_resolve_aliases(topic, member):
    target = claim_create(
        topic=topic, author=member, text="Models store copies of their training images"
    )
    alias = claim_create(topic=topic, author=member, text="The AI keeps a copy of every image")
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


def test_the_claim_page_shows_standing_reason_posts_and_relations(thread, member, other_member):
    claim_post = forum.reply_create(
        parent=thread.opening_post,
        author=member,
        body="fair",
        tags=[TagInput("Fair use", "supports")],
    )
    forum.reply_create(
        parent=claim_post,
        author=other_member,
        body="no",
        response="disagree",
        tags=[TagInput("Copies", "supports")],
    )
    map_build(topic_id=thread.topic_id)
    fair_use = Claim.objects.get(text="Fair use")
    html = Client().get(fair_use.get_absolute_url()).content.decode()
    assert "<strong>OUT: attacked by «Copies», which stands</strong>" in html
    assert f'href="/posts/{claim_post.pk}/#post-{claim_post.pk}"' in html
    assert "Attacked by" in html and ">Copies</a>" in html


def test_a_merged_claims_page_redirects_to_its_target(topic, member):
    target = claim_create(topic=topic, author=member, text="A")
    alias = claim_create(topic=topic, author=member, text="B")
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
