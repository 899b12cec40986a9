from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts import selectors
from apps.accounts.models import User
from apps.claims.models import Claim, Endorsement
from apps.core.text import MAX_BIO_LENGTH


class ClaimStandingSerializer(serializers.ModelSerializer):
    """A claim with its strength and grounded standing on its topic's latest map (null when
    it is not on it)."""

    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    strength = serializers.SerializerMethodField()
    standing = serializers.SerializerMethodField(help_text="IN, OUT or UNDECIDED.")

    class Meta:
        model = Claim
        fields = ["id", "topic", "text", "strength", "standing"]

    def get_strength(self, claim: Claim) -> float | None:
        return claim.on_map.strength if claim.on_map else None

    def get_standing(self, claim: Claim) -> str | None:
        return claim.on_map.standing if claim.on_map else None


class MemberEndorsementSerializer(serializers.ModelSerializer):
    claim = ClaimStandingSerializer(read_only=True)

    class Meta:
        model = Endorsement
        fields = ["claim", "stance", "updated"]


class MemberSerializer(serializers.ModelSerializer):
    """A member's public profile: the bio, how many visible posts, and the latest claims
    they made and endorsed or disputed (PER_PAGE of each, newest first)."""

    bio = serializers.CharField(read_only=True, help_text="Markdown.")
    bio_html = serializers.CharField(read_only=True, help_text="The bio, rendered and sanitized.")
    posts = serializers.SerializerMethodField(help_text="How many visible posts they wrote.")
    claims = serializers.SerializerMethodField()
    endorsements = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "date_joined", "bio", "bio_html", "posts", "claims", "endorsements"]

    def get_posts(self, member: User) -> int:
        return selectors.member_posts(member).count()

    @extend_schema_field(ClaimStandingSerializer(many=True))
    def get_claims(self, member: User) -> list:
        page = selectors.profile_page(member=member, show="claims", page=1)
        return ClaimStandingSerializer(page, many=True).data

    @extend_schema_field(MemberEndorsementSerializer(many=True))
    def get_endorsements(self, member: User) -> list:
        page = selectors.profile_page(member=member, show="endorsements", page=1)
        return MemberEndorsementSerializer(page, many=True).data


class ProfileUpdateSerializer(serializers.Serializer):
    bio = serializers.CharField(
        max_length=MAX_BIO_LENGTH,
        allow_blank=True,
        help_text="Markdown; an empty bio clears it.",
    )
