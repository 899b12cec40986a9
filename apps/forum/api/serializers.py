from rest_framework import serializers

from apps.claims.api.serializers import TagSerializer, TagsField
from apps.core.text import (
    MAX_BODY_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
)
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.topics import MAX_SLUG_LENGTH


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "title", "description", "archived", "created"]


class TopicCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TITLE_LENGTH)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION_LENGTH, required=False, allow_blank=True, help_text="Plain text."
    )
    slug = serializers.CharField(
        max_length=MAX_SLUG_LENGTH,
        required=False,
        allow_blank=True,
        help_text="The topic's address, /topics/{slug}/: lower-case letters, digits, hyphens and"
        " underscores; made from the title when left out. It cannot change later.",
    )


class TopicUpdateSerializer(serializers.Serializer):
    """A new title or description; or, alone, archived (true or false) with a reason."""

    title = serializers.CharField(max_length=MAX_TITLE_LENGTH, required=False)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION_LENGTH, required=False, allow_blank=True
    )
    archived = serializers.BooleanField(
        required=False, help_text="true archives the topic (read-only), false reopens it."
    )
    reason = serializers.CharField(
        max_length=MAX_REASON_LENGTH,
        required=False,
        help_text="Why it is archived or unarchived, for the moderation log: needed with"
        " `archived`.",
    )

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(
                "Send a title, a description, or `archived` with a reason."
            )
        edits = {"title", "description"} & data.keys()
        if "archived" in data and edits:
            raise serializers.ValidationError(
                "Archive or unarchive in a request of its own, without a title or description."
            )
        if "reason" in data and "archived" not in data:
            raise serializers.ValidationError("A reason goes with `archived` only.")
        return data


class ThreadSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Thread
        fields = [
            "id", "topic", "title", "author", "opening_post", "locked",
            "reply_count", "created", "last_activity",
        ]  # fmt: skip


class ThreadCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TITLE_LENGTH)
    body = serializers.CharField(max_length=MAX_BODY_LENGTH, help_text="Opening post, Markdown.")
    tags = TagsField(required=False, default=list, help_text="The opening post's claim tags.")


class PostSerializer(serializers.ModelSerializer):
    """A post as readers see it: a tombstone shows no body."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    tags = TagSerializer(many=True, read_only=True)

    class Meta:
        model = Post
        fields = [
            "id", "thread", "parent", "depth", "author", "state", "removal_reason",
            "response", "body", "body_html", "tags", "reply_count", "created", "edited",
        ]  # fmt: skip

    def get_body(self, post: Post) -> str:
        return "" if post.is_tombstone else post.body

    def get_body_html(self, post: Post) -> str:
        return "" if post.is_tombstone else post.body_html


class ReplyCreateSerializer(serializers.Serializer):
    parent = serializers.IntegerField(
        help_text="The post answered; the thread's opening post for a top-level reply."
    )
    body = serializers.CharField(max_length=MAX_BODY_LENGTH, help_text="Markdown.")
    response = serializers.ChoiceField(choices=Post.Response.choices, default=Post.Response.NEUTRAL)
    tags = TagsField(required=False, default=list)


class PostUpdateSerializer(serializers.Serializer):
    """Any of: a new body and a new response (the author only), new tags (the author or a
    moderator)."""

    body = serializers.CharField(max_length=MAX_BODY_LENGTH, required=False, help_text="Markdown.")
    tags = TagsField(required=False, help_text="Replaces the post's tags.")
    response = serializers.ChoiceField(
        choices=Post.Response.choices,
        required=False,
        help_text="The reply's response to the post it answers; the opening post has none.",
    )

    def validate(self, data):
        if not data:
            raise serializers.ValidationError("Send a body, tags, a response, or any of them.")
        return data
