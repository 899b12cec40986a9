from rest_framework import serializers

from apps.claims.models import ClaimTag
from apps.core.text import MAX_REASON_LENGTH
from apps.moderation.models import ClaimMerge, ModerationAction, Report


class DuplicatePairSerializer(serializers.Serializer):
    first = serializers.IntegerField(source="first.pk")
    first_text = serializers.CharField(source="first.text")
    second = serializers.IntegerField(source="second.pk")
    second_text = serializers.CharField(source="second.text")
    similarity = serializers.FloatField()


class MergeRequestSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    sources = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=50)
    reason = serializers.CharField(max_length=MAX_REASON_LENGTH)
    resolutions = serializers.DictField(
        child=serializers.ChoiceField(choices=ClaimTag.Stance.choices),
        required=False,
        default=dict,
        help_text="Post id -> the stance kept, for each post with opposite stances on the claims.",
    )
    member_resolutions = serializers.DictField(
        child=serializers.ChoiceField(choices=ClaimTag.Stance.choices),
        required=False,
        default=dict,
        help_text="Member (user) id -> the stance kept, for each member endorsing the claims"
        " in opposite stances.",
    )
    fingerprint = serializers.CharField(
        required=False,
        help_text="From a preview; the merge is refused if the claims' tags or endorsements"
        " changed since.",
    )

    def validate_resolutions(self, value):
        return _by_id(value, "Keys are post ids.")

    def validate_member_resolutions(self, value):
        return _by_id(value, "Keys are member (user) ids.")


def _by_id(stances: dict, refusal: str) -> dict[int, str]:
    try:
        return {int(key): stance for key, stance in stances.items()}
    except ValueError:
        raise serializers.ValidationError(refusal) from None


class ClaimMergeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimMerge
        fields = ["id", "topic", "target", "sources", "reason", "created", "undone_at"]


class UndoSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_REASON_LENGTH, required=False, allow_blank=True, default=""
    )


class ModerationActionSerializer(serializers.ModelSerializer):
    moderator = serializers.SerializerMethodField()

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "topic",
            "kind",
            "summary",
            "reason",
            "post",
            "thread",
            "merge",
            "moderator",
            "created",
        ]

    def get_moderator(self, action) -> str | None:
        """Moderators' names are shown to moderators only."""
        if not self.context["show_moderators"] or action.moderator is None:
            return None
        return action.moderator.username


class ReportRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=MAX_REASON_LENGTH, help_text="What is wrong with it; only moderators read it."
    )


class ReportSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reporter = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "topic",
            "post",
            "claim",
            "reporter",
            "reason",
            "state",
            "created",
            "resolved_at",
            "note",
        ]


class ReportFilterSerializer(serializers.Serializer):
    topic = serializers.SlugField(required=False, help_text="Only this topic's reports.")
    state = serializers.ChoiceField(
        choices=Report.State.choices, required=False, help_text="Only reports in this state."
    )


class ResolveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["dismiss", "remove"],
        help_text="Dismiss the reports, or remove the reported post (a note is then required).",
    )
    note = serializers.CharField(
        max_length=MAX_REASON_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown in the moderation log and to the reporters.",
    )
