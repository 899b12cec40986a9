"""The demo debate: the AI-art discussion from shared/seeds, as one thread."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from apps.accounts.roles import MODERATORS
from apps.claims.services.claims import claim_create
from apps.claims.services.tags import TagInput
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.post_state import post_delete
from apps.forum.services.posting import reply_create, thread_create
from apps.maps.services import map_build

DEBATE = Path(__file__).with_name("ai-art-copyright.json")
STARTED = datetime(2023, 7, 24, 9, 0, tzinfo=UTC)
BETWEEN_POSTS = timedelta(minutes=23)
LOST_TEXT = "(The original text was not preserved.)"
# Documented in the README so a newcomer can log in at once.
DEMO_ACCOUNTS = {"demo_member": False, "demo_moderator": True}
DEMO_PASSWORD = "agora-demo"


@dataclass
class DemoResult:
    thread: Thread
    created: bool


def load_demo() -> DemoResult:
    """Create the demo topic, thread, users and accounts; a second run changes nothing."""
    debate = json.loads(DEBATE.read_text(encoding="utf-8"))
    check_quotes(debate)
    with transaction.atomic():
        _demo_accounts()
        topic, _ = Topic.objects.get_or_create(
            slug=debate["topic"]["slug"],
            defaults={
                "title": debate["topic"]["title"],
                "description": debate["topic"]["description"],
            },
        )
        existing = topic.threads.filter(title=debate["thread"]["title"]).first()
        if existing:
            return DemoResult(thread=existing, created=False)
        thread = _load_thread(topic, debate)
    map_build(topic_id=topic.pk)  # the demo shows its map at once, worker or not
    return DemoResult(thread=thread, created=True)


def _demo_accounts() -> None:
    moderators = Group.objects.get(name=MODERATORS)
    for username, is_moderator in DEMO_ACCOUNTS.items():
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if is_moderator:
            user.groups.add(moderators)


def _load_thread(topic: Topic, debate: dict) -> Thread:
    entries = debate["posts"]
    authors = _seed_users({entry["author"] for entry in entries})
    claims = _demo_claims(topic, debate, authors)
    opening, *replies = entries
    thread = thread_create(
        topic=topic, author=authors[opening["author"]], title=debate["thread"]["title"],
        body=opening["body"], tags=_tag_inputs(opening, claims),
    )  # fmt: skip
    posts = {opening["key"]: thread.opening_post}
    for entry in replies:
        post = reply_create(
            parent=posts[entry["parent"]],
            author=authors[entry["author"]],
            body=LOST_TEXT if entry["deleted"] else entry["body"],
            response=entry["response"],
            tags=_tag_inputs(entry, claims),
        )
        posts[entry["key"]] = post
    for entry in replies:  # deleted after they were answered, as in the seed
        if entry["deleted"]:
            post_delete(post=posts[entry["key"]], actor=authors[entry["author"]])
    _spread_in_time(thread, [posts[entry["key"]] for entry in entries])
    return thread


def check_quotes(debate: dict) -> None:
    """Each tag keeps its justification, a quote of its post: refuse data whose quote is not
    in the post (whitespace aside), so a tag cannot drift from what the post says."""
    for entry in debate["posts"]:
        body = _words(entry["body"])
        for tag in entry["tags"]:
            quote = _words(tag.get("quote", ""))
            if not quote or quote not in body:
                raise ValueError(
                    f"Demo post {entry['key']!r}: the quote for its tag on {tag['claim']!r}"
                    f" ({tag.get('quote')!r}) is not in the post's body."
                )


def _words(text: str) -> str:
    return " ".join(text.split())


def _tag_inputs(entry: dict, claims: dict) -> list[TagInput]:
    """The entry's tags for the services (a quote justifies its tag; it is not stored)."""
    return [TagInput(claims[tag["claim"]].pk, tag["stance"]) for tag in entry["tags"]]


def _demo_claims(topic: Topic, debate: dict, authors: dict) -> dict:
    """The debate's claims, in the fixture's order, each created by the first to tag it."""
    first_tagger = {}
    for entry in debate["posts"]:
        for tag in entry["tags"]:
            first_tagger.setdefault(tag["claim"], authors[entry["author"]])
    return {
        claim["key"]: claim_create(
            topic=topic, author=first_tagger[claim["key"]], text=claim["text"]
        )[0]
        for claim in debate["claims"]
    }


def _seed_users(usernames: set[str]) -> dict:
    users = {}
    for username in sorted(usernames):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save()
        users[username] = user
    return users


def _spread_in_time(thread: Thread, posts: list[Post]) -> None:
    """Give the posts the pace of a real discussion instead of the load's milliseconds."""
    for index, post in enumerate(posts):
        post.created = STARTED + index * BETWEEN_POSTS
    Post.objects.bulk_update(posts, ["created"])
    Thread.objects.filter(pk=thread.pk).update(
        created=posts[0].created, last_activity=posts[-1].created
    )
