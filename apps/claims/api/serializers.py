from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.claims.models import MAX_TAGS_PER_POST, Claim, ClaimTag, Endorsement
from apps.claims.services.tags import TagInput
from apps.core.text import MAX_CLAIM_LENGTH


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


class MapEndorsementsSerializer(serializers.Serializer):
    supports = serializers.IntegerField(source="endorsed_supporting")
    opposes = serializers.IntegerField(source="endorsed_opposing")


class ClaimDetailSerializer(ClaimSerializer):
    """The claim with its node in the latest map, read from that version's row; the map
    fields are null when the claim is not on the map (or is an alias)."""

    standing = serializers.SerializerMethodField(
        help_text="The grounded label: IN, OUT or UNDECIDED."
    )
    reason = serializers.SerializerMethodField()
    strength = serializers.SerializerMethodField(
        help_text="From 0 to 1: the base score raised by supporters, lowered by attackers."
    )
    base = serializers.SerializerMethodField(
        help_text="(supporters + 1) / (supporters + opposers + 2)."
    )
    supporters = serializers.SerializerMethodField(
        help_text="Distinct members, endorsements included."
    )
    opposers = serializers.SerializerMethodField(
        help_text="Distinct members, endorsements included."
    )
    endorsements = serializers.SerializerMethodField()
    map_version = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            *["standing", "reason", "strength", "base", "supporters", "opposers"],
            *["endorsements", "map_version"],
        ]

    @property
    def node(self):
        return self.context["node"]

    def get_standing(self, claim) -> str | None:
        return self.node and self.node.standing

    def get_reason(self, claim) -> str | None:
        return self.node and self.node.reason

    def get_strength(self, claim) -> float | None:
        return self.node and self.node.strength

    def get_base(self, claim) -> float | None:
        return self.node and self.node.base

    def get_supporters(self, claim) -> int | None:
        return self.node and self.node.supporters

    def get_opposers(self, claim) -> int | None:
        return self.node and self.node.opposers

    @extend_schema_field(MapEndorsementsSerializer(allow_null=True))
    def get_endorsements(self, claim) -> dict | None:
        return self.node and MapEndorsementsSerializer(self.node).data

    def get_map_version(self, claim) -> int | None:
        """The version of the topic's map read; null before its first build."""
        return self.context["argument_map"] and self.context["argument_map"].version


class EndorsementSerializer(serializers.ModelSerializer):
    """The caller's endorsement: the claim it stands on (an alias's target), and the stance."""

    class Meta:
        model = Endorsement
        fields = ["claim", "stance", "created", "updated"]


class StanceSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=ClaimTag.Stance.choices)
