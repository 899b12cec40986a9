import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from apps.claims.models import Claim
from apps.forum.demo.loader import DEBATE, DEMO_PASSWORD
from apps.forum.models import Post, Thread
from apps.forum.trees import check_trees
from apps.maps.models import ArgumentMap

pytestmark = pytest.mark.django_db
SEED = json.loads(DEBATE.read_text(encoding="utf-8"))
SEED_ENTRIES = SEED["posts"]


@pytest.fixture
def demo(capsys):
    call_command("load_demo")
    return Thread.objects.get(topic__slug="ai-art-and-copyright")


def test_the_demo_holds_the_whole_seed_discussion_as_one_thread(demo):
    assert demo.topic.title == "AI art and copyright"
    assert demo.posts.count() == len(SEED_ENTRIES) == demo.reply_count + 1
    assert demo.posts.filter(state=Post.State.DELETED).count() == 5
    assert check_trees().clean


def test_the_demo_keeps_the_reply_structure_of_the_seed(demo):
    posts = {entry["key"]: entry for entry in SEED_ENTRIES}
    by_body = {post.body: post for post in demo.posts.filter(state=Post.State.VISIBLE)}
    for entry in SEED_ENTRIES:
        if entry["deleted"] or entry["parent"] is None:
            continue
        post = by_body[entry["body"]]
        assert post.author.username == entry["author"]
        parent_entry = posts[entry["parent"]]
        if not parent_entry["deleted"]:
            assert post.parent.body == parent_entry["body"]
    assert max(demo.posts.values_list("depth", flat=True)) >= 10


def test_loading_twice_changes_nothing(demo, capsys):
    call_command("load_demo")
    assert "Already loaded" in capsys.readouterr().out
    assert Thread.objects.count() == 1 and Post.objects.count() == len(SEED_ENTRIES)


def test_the_demo_thread_page_shows_the_tombstones_in_place(demo):
    html = Client().get(demo.get_absolute_url()).content.decode()
    assert html.count("deleted by creator") == 5
    assert "The original text was not preserved" not in html
    tombstone = demo.posts.filter(state=Post.State.DELETED).order_by("pk").first()
    reply_to_it = tombstone.replies.get()
    assert html.index(f'id="post-{tombstone.pk}"') < html.index(f'id="post-{reply_to_it.pk}"')
    assert re.search(r'<a href="/u/raccoona_nongrata/" class="mention"', html)


def test_the_demo_accounts_log_in_and_the_moderator_moderates(demo):
    client = Client()
    assert client.login(username="demo_member", password=DEMO_PASSWORD)
    assert client.login(username="demo_moderator", password=DEMO_PASSWORD)
    moderator = get_user_model().objects.get(username="demo_moderator")
    assert moderator.has_perm("forum.remove_post") and moderator.has_perm("forum.lock_thread")
    assert not get_user_model().objects.get(username="demo_member").has_perm("forum.remove_post")


def test_a_new_member_can_reply_anywhere_in_the_demo(demo):
    client = Client()
    client.post(
        "/accounts/signup/",
        {
            "username": "newcomer",
            "email": "",
            "password1": "a-Long-pass-9",
            "password2": "a-Long-pass-9",
        },
    )
    deepest = demo.posts.filter(state=Post.State.VISIBLE).order_by("-depth").first()
    response = client.post(
        f"/posts/{deepest.pk}/reply/", {"body": "Late to this, but…", "response": "agree"}
    )
    assert response.status_code == 302
    assert deepest.replies.get().author.username == "newcomer"


def test_the_demo_is_tagged_into_a_map_with_a_duplicate_pair_to_merge(demo):
    stats = ArgumentMap.objects.get(topic=demo.topic).stats
    assert stats["claims"] >= 12 and stats["supports"] >= 1 and stats["attacks"] >= 1
    assert stats["OUT"] >= 1
    first, second = json.loads(DEBATE.read_text(encoding="utf-8"))["duplicate_pair"]
    texts = {
        claim["key"]: claim["text"]
        for claim in json.loads(DEBATE.read_text(encoding="utf-8"))["claims"]
    }
    assert (
        Claim.objects.filter(topic=demo.topic, text__in=[texts[first], texts[second]]).count() == 2
    )
