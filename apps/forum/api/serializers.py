from rest_framework import serializers

from apps.claims.api.serializers import TagSerializer, TagsField
from apps.core.text import MAX_BODY_LENGTH, MAX_TITLE_LENGTH
from apps.forum.models import Post, Thread, Topic


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "title", "description", "created"]


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
