from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from apps.core.text import MAX_REASON_LENGTH

# A chain of replies starts a new MPTT tree every SEGMENT_DEPTH levels, so no tree
# grows without bound; the thread page shows one segment and links onwards.
SEGMENT_DEPTH = 8
TREE_ID_SEQUENCE = "forum_post_tree_id_seq"


class Topic(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    # An archived topic is read-only: its threads, claims and map stay readable as they are.
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:topic", kwargs={"slug": self.slug})


class Thread(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="threads"
    )
    opening_post = models.OneToOneField(
        "Post", on_delete=models.PROTECT, null=True, related_name="+"
    )
    locked = models.BooleanField(default=False)
    reply_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["topic", "-last_activity"])]
        permissions = [("lock_thread", "Can lock and unlock any thread")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", kwargs={"pk": self.pk})


class PostQuerySet(TreeQuerySet):
    def in_thread(self, thread: Thread) -> "PostQuerySet":
        return self.filter(thread=thread)

    def visible(self) -> "PostQuerySet":
        return self.filter(state=Post.State.VISIBLE)

    def top_level(self) -> "PostQuerySet":
        return self.filter(depth=1)


class PostTreeManager(TreeManager.from_queryset(PostQuerySet)):
    def _get_next_tree_id(self) -> int:
        # Max(tree_id) + 1 hands one id to concurrent new roots; a sequence cannot.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [TREE_ID_SEQUENCE])
            return cursor.fetchone()[0]


class Post(MPTTModel):
    """A post in a thread. `parent` is the post it answers; `tree_parent` is its
    parent in its MPTT tree, which is `parent` except where the post starts a tree
    (the opening post, replies to it, and every SEGMENT_DEPTH levels below)."""

    class State(models.TextChoices):
        VISIBLE = "visible", "visible"
        DELETED = "deleted", "deleted by creator"
        REMOVED = "removed", "removed by moderator"

    class Response(models.TextChoices):
        AGREE = "agree", "agree"
        DISAGREE = "disagree", "disagree"
        NEUTRAL = "neutral", "neutral"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # The thread's topic (threads never move), so a search narrowed to one topic walks that
    # topic's posts alone (post_visible_in_topic) instead of every topic's.
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+", db_index=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    tree_parent = TreeForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="tree_children"
    )
    # The MPTT bookkeeping, declared here so the indexes below can name it.
    tree_id = models.PositiveIntegerField(editable=False)
    lft = models.PositiveIntegerField(editable=False)
    rght = models.PositiveIntegerField(editable=False)
    level = models.PositiveIntegerField(editable=False)
    depth = models.PositiveSmallIntegerField(
        default=0
    )  # in the thread: replies to the opening post are 1
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posts"
    )
    body = models.TextField()
    body_html = models.TextField()
    response = models.CharField(max_length=8, choices=Response.choices, default=Response.NEUTRAL)
    state = models.CharField(max_length=8, choices=State.choices, default=State.VISIBLE)
    removal_reason = models.CharField(max_length=MAX_REASON_LENGTH, blank=True)
    reply_count = models.PositiveIntegerField(default=0)
    # Every post below it, in all the trees its subtree spans: what collapsing it hides.
    descendant_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    edited = models.DateTimeField(null=True, blank=True)
    # What search matches: the body as written (never its HTML), kept by PostgreSQL itself.
    search_vector = models.GeneratedField(
        expression=SearchVector("body", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = PostTreeManager()

    class MPTTMeta:
        parent_attr = "tree_parent"

    class Meta:
        indexes = [
            models.Index(fields=["tree_id", "lft"]),
            models.Index(fields=["thread", "depth", "created"]),
            models.Index(fields=["author", "-created"]),
            # Tombstones are left out: search never matches them.
            GinIndex(fields=["search_vector"], name="post_search", condition=Q(state="visible")),
            # A search matching many posts ranks the newest of them (apps/search/selectors.py).
            models.Index(
                fields=["created", "id"],
                name="post_visible_by_created",
                condition=Q(state="visible"),
            ),
            models.Index(
                fields=["topic", "created", "id"],
                name="post_visible_in_topic",
                condition=Q(state="visible"),
            ),
        ]
        permissions = [("remove_post", "Can remove and restore any post")]

    def __str__(self) -> str:
        return f"Post {self.pk} in thread {self.thread_id}"

    def get_absolute_url(self) -> str:
        return reverse("forum:post", kwargs={"pk": self.pk})

    @property
    def permalink(self) -> str:
        """Its page, scrolled to it and highlighted there."""
        return f"{self.get_absolute_url()}#post-{self.pk}"

    @property
    def is_tombstone(self) -> bool:
        return self.state != self.State.VISIBLE

    @property
    def is_segment_end(self) -> bool:
        """Replies to this post start new trees, shown behind "continue this thread"."""
        return self.depth > 0 and self.depth % SEGMENT_DEPTH == 0


class PostRevision(models.Model):
    """An earlier version of an edited post's body."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    written = models.DateTimeField()
    replaced = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["written", "pk"]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} written {self.written:%Y-%m-%d %H:%M}"
