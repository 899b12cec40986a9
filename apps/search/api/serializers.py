from django.core.exceptions import ValidationError
from rest_framework import serializers

from apps.accounts.models import User
from apps.forum.models import Post, Topic
from apps.search.forms import CLAIMS, POSTS, QUERY_HELP
from apps.search.selectors import ClaimHit, search_words, snippet_html


class SearchParamsSerializer(serializers.Serializer):
    """The query parameters of GET /api/search/."""

    q = serializers.CharField(help_text=QUERY_HELP, trim_whitespace=False)
    type = serializers.ChoiceField(choices=[POSTS, CLAIMS], default=POSTS)
    topic = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Topic.objects.all(),
        required=False,
        help_text="A topic's slug: only its posts or claims.",
        error_messages={"does_not_exist": "There is no topic “{value}”."},
    )
    author = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        help_text="A member's username: only the posts or claims they wrote.",
        error_messages={"does_not_exist": "No member is called “{value}”."},
    )

    def validate_q(self, value: str) -> str:
        try:
            return search_words(value)
        except ValidationError as refusal:
            raise serializers.ValidationError(refusal.messages) from None


class PostHitSerializer(serializers.ModelSerializer):
    type = serializers.SerializerMethodField()
    url = serializers.CharField(source="permalink", read_only=True)
    thread_title = serializers.CharField(source="thread.title", read_only=True)
    topic = serializers.CharField(source="thread.topic.slug", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    rank = serializers.FloatField(read_only=True, help_text="ts_rank: higher is better.")
    snippet = serializers.SerializerMethodField(
        help_text="The best passages of the post's text, HTML-escaped, the words found in <mark>."
    )

    class Meta:
        model = Post
        fields = ["type", "id", "url", "thread", "thread_title", "topic", "author", "created"]
        fields += ["rank", "snippet"]

    def get_type(self, post) -> str:
        return "post"

    def get_snippet(self, post) -> str:
        return snippet_html(post.headline)


class ClaimHitSerializer(serializers.Serializer):
    """A claim found (an alias found stands for its target) with its node in its topic's
    latest map; the map fields are null when it is not on that map."""

    type = serializers.SerializerMethodField()
    id = serializers.IntegerField(source="claim.pk")
    url = serializers.CharField(source="claim.get_absolute_url")
    topic = serializers.CharField(source="claim.topic.slug")
    text = serializers.CharField(source="claim.text")
    strength = serializers.FloatField(source="node.strength", allow_null=True, default=None)
    standing = serializers.CharField(
        source="node.standing",
        allow_null=True,
        default=None,
        help_text="The grounded label: IN, OUT or UNDECIDED.",
    )
    map_version = serializers.IntegerField(source="node.map_version", allow_null=True, default=None)

    def get_type(self, hit: ClaimHit) -> str:
        return "claim"
