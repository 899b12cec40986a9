from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.claims.models import MAX_CLAIM_LENGTH, MAX_TAGS_PER_POST, Claim, ClaimTag, Endorsement
from apps.claims.services import TagInput


class ClaimSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "topic", "text", "status", "merged_into", "created"]


class ClaimCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_CLAIM_LENGTH)


@extend_schema_field(
    {"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": MAX_CLAIM_LENGTH}]}
)
class ClaimReferenceField(serializers.Field):
    """An existing claim's id (a number) or a claim's text (a string)."""

    default_error_messages = {"invalid": "Give a claim's id (a number) or its text (a string)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > MAX_CLAIM_LENGTH:
            raise serializers.ValidationError(
                f"A claim can be at most {MAX_CLAIM_LENGTH} characters."
            )
        return data

    def to_representation(self, value):
        return value


class TagInputSerializer(serializers.Serializer):
    claim = ClaimReferenceField(help_text="An existing claim's id, or the text of a claim.")
    stance = serializers.ChoiceField(choices=ClaimTag.Stance.choices)


class TagSerializer(serializers.ModelSerializer):
    claim_text = serializers.CharField(source="claim.text", read_only=True)

    class Meta:
        model = ClaimTag
        fields = ["claim", "claim_text", "stance"]


class TagsField(serializers.ListField):
    """Up to MAX_TAGS_PER_POST tags, given as {"claim": id or text, "stance": ...}."""

    child = TagInputSerializer()

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_TAGS_PER_POST, **kwargs)

    def to_internal_value(self, data) -> list[TagInput]:
        return [
            TagInput(claim=tag["claim"], stance=tag["stance"])
            for tag in super().to_internal_value(data)
        ]


class ClaimDetailSerializer(ClaimSerializer):
    standing = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "standing", "reason"]

    def get_standing(self, claim) -> str | None:
        node = self.context["relations"].node
        return node["standing"] if node else None

    def get_reason(self, claim) -> str | None:
        node = self.context["relations"].node
        return node["reason"] if node else None


class EndorsementSerializer(serializers.ModelSerializer):
    """The caller's endorsement: the claim it stands on (an alias's target), and the stance."""

    class Meta:
        model = Endorsement
        fields = ["claim", "stance", "created", "updated"]


class StanceSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=ClaimTag.Stance.choices)
