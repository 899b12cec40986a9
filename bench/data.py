"""Synthetic threads of a realistic shape, written through the app's own services."""

import random

from django.contrib.auth import get_user_model

from apps.forum.models import Post, Thread, Topic
from apps.forum.services.posting import reply_create, thread_create

USERS = 300
TOP_LEVEL = 0.30  # answers to the opening post
HOT = 0.25  # answers somewhere in one of the hot branches
CONVERSATION = 0.20  # the next turn of a running back-and-forth
# The rest answer any earlier reply.
HOT_BRANCHES = 3  # the first top-level replies attract the crowd
CONVERSATIONS = 3  # back-and-forths running at once; they make the long tail of depth
CONVERSATION_ENDS = 0.12
MAX_DEPTH = 40
VOCABULARY = (
    "training data model copyright fair use artist style image dataset license consent "
    "transformative market harm output memorize prompt court ruling precedent scrape opt "
    "out credit compensation derivative work human author tool camera photograph sample"
)
WORDS = VOCABULARY.split()


class Shape:
    """Draws the post each new reply answers, from the replies the thread has so far."""

    def __init__(self, opening_post: Post, rng: random.Random):
        self.opening_post = opening_post
        self.rng = rng
        self.replies: list[Post] = []
        self.hot: list[list[Post]] = []  # the posts of each hot branch
        self.branch_of: dict[int, int] = {}  # post id -> index into hot
        self.tips: list[Post] = []  # the newest post of each running conversation

    def parent(self) -> Post:
        roll = self.rng.random()
        if roll < TOP_LEVEL or not self.replies:
            return self.opening_post
        if roll < TOP_LEVEL + HOT and self.hot:
            candidate = self.rng.choice(self.rng.choice(self.hot))
        elif roll < TOP_LEVEL + HOT + CONVERSATION:
            candidate = self._conversation_tip()
        else:
            candidate = self.rng.choice(self.replies)
        while candidate.depth >= MAX_DEPTH:
            candidate = self.rng.choice(self.replies)
        return candidate

    def add(self, reply: Post) -> None:
        self.replies.append(reply)
        if reply.depth == 1 and len(self.hot) < HOT_BRANCHES:
            self.branch_of[reply.pk] = len(self.hot)
            self.hot.append([reply])
        elif reply.parent_id in self.branch_of:
            branch = self.branch_of[reply.parent_id]
            self.branch_of[reply.pk] = branch
            self.hot[branch].append(reply)
        for index, tip in enumerate(self.tips):
            if tip.pk == reply.parent_id:
                ends = self.rng.random() < CONVERSATION_ENDS
                self.tips[index] = self.rng.choice(self.replies) if ends else reply
                break

    def _conversation_tip(self) -> Post:
        if len(self.tips) < CONVERSATIONS:
            self.tips.append(self.rng.choice(self.replies))
        index = self.rng.randrange(len(self.tips))
        if self.tips[index].depth >= MAX_DEPTH:
            self.tips[index] = self.rng.choice(self.replies)
        return self.tips[index]


def make_users() -> list:
    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"bench{n:03}", password="!") for n in range(USERS)],
        ignore_conflicts=True,
    )
    return list(User.objects.filter(username__startswith="bench").order_by("pk"))


def make_thread(users: list, rng: random.Random, title: str) -> tuple[Thread, Shape]:
    topic, _ = Topic.objects.get_or_create(slug="bench", defaults={"title": "Benchmark"})
    thread = thread_create(topic=topic, author=rng.choice(users), title=title, body=body(rng))
    return thread, Shape(thread.opening_post, rng)


def grow(shape: Shape, users: list, replies: int) -> None:
    for _ in range(replies):
        shape.add(reply(shape, users))


def reply(shape: Shape, users: list) -> Post:
    return reply_create(**reply_arguments(shape, users))


def reply_arguments(shape: Shape, users: list) -> dict:
    """For reply_create: a parent drawn from the shape, a random author, body and response."""
    rng = shape.rng
    return {
        "parent": shape.parent(),
        "author": rng.choice(users),
        "body": body(rng),
        "response": rng.choice(Post.Response.values),
    }


def body(rng: random.Random) -> str:
    """One to three short Markdown paragraphs, sometimes with emphasis, a link or a quote."""
    paragraphs = []
    for _ in range(rng.randint(1, 3)):
        words = rng.choices(WORDS, k=rng.randint(8, 60))
        if rng.random() < 0.2:
            words[0] = f"*{words[0]}*"
        if rng.random() < 0.1:
            words.append(f"https://example.org/{rng.choice(WORDS)}")
        paragraphs.append(" ".join(words).capitalize() + ".")
    if rng.random() < 0.1:
        paragraphs[0] = "> " + paragraphs[0]
    return "\n\n".join(paragraphs)
