"""Test data, made through the same services users go through."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.claims.models import Claim
from apps.claims.services.tags import TagInput
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.posting import reply_create, thread_create

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()


def make_moderator(username: str = "mod", **fields):
    """A member of the moderators group, which the migrations create with its permissions."""
    user = UserFactory(username=username, **fields)
    user.groups.add(Group.objects.get(name="moderators"))
    return user


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    title = factory.Sequence(lambda n: f"Topic {n}")


def make_thread(
    *, topic: Topic | None = None, author=None, title="A thread", body="Opening post", tags=()
) -> Thread:
    return thread_create(
        topic=topic or TopicFactory(),
        author=author or UserFactory(),
        title=title,
        body=body,
        tags=tags,
    )


def make_reply(parent: Post, *, author=None, body="A reply", response="neutral", tags=()) -> Post:
    return reply_create(
        parent=parent, author=author or UserFactory(), body=body, response=response, tags=tags
    )


def tagged(parent: Post, author, *tags, body="…", response="neutral") -> Post:
    """A reply making these (claim text, stance) tags."""
    return make_reply(
        parent, author=author, body=body, response=response, tags=[TagInput(*t) for t in tags]
    )


def make_chain(parent: Post, length: int, *, author=None) -> list[Post]:
    """A chain of replies, each answering the one before."""
    chain = []
    for index in range(length):
        parent = make_reply(parent, author=author, body=f"Level {parent.depth + 1}, link {index}")
        chain.append(parent)
    return chain


def claim_id(text: str) -> int:
    """The id of the claim with exactly these words."""
    return Claim.objects.get(text=text).pk
