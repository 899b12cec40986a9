from rest_framework import serializers

from apps.notifications.models import Notification
from apps.notifications.services import MAX_ID, MAX_IDS


class NotificationSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    excerpt = serializers.CharField(
        read_only=True, help_text="The post's first words; empty once it is deleted or removed."
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "text",
            "excerpt",
            "url",
            "actor",
            "thread",
            "post",
            "claim",
            "created",
            "read",
        ]


class MarkReadSerializer(serializers.Serializer):
    """`{"ids": [...]}` or `{"all": true}`."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID - 1),
        max_length=MAX_IDS,
        required=False,
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, data):
        if data["all"] == ("ids" in data):
            raise serializers.ValidationError(
                'Say which notifications to mark read: {"ids": [...]} or {"all": true}.'
            )
        return data


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField(help_text="How many are left unread.")


class WatchSerializer(serializers.Serializer):
    thread = serializers.IntegerField()
    watching = serializers.BooleanField()
