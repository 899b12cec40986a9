from django import forms

from apps.claims.models import MAX_CLAIM_LENGTH, MAX_TAGS_PER_POST, ClaimTag
from apps.claims.services import TagInput
from apps.forum.models import Post

WITHDRAW = "withdraw"


class EndorsementForm(forms.Form):
    """A member's endorsement button: take a stance on the claim, or withdraw it."""

    stance = forms.ChoiceField(choices=[*ClaimTag.Stance.choices, (WITHDRAW, WITHDRAW)])


class TagRowsForm(forms.Form):
    """Up to MAX_TAGS_PER_POST rows of (claim, stance); an empty claim leaves its row unused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, MAX_TAGS_PER_POST + 1):
            self.fields[f"claim_{row}"] = forms.CharField(
                label=f"Claim {row}",
                required=False,
                max_length=MAX_CLAIM_LENGTH,
                widget=forms.TextInput(attrs={"autocomplete": "off", "class": "claim-input"}),
            )
            self.fields[f"stance_{row}"] = forms.ChoiceField(
                label=f"Stance on claim {row}",
                choices=ClaimTag.Stance.choices,
                initial=ClaimTag.Stance.SUPPORTS,
                required=False,
            )

    def tag_rows(self) -> list[tuple]:
        """(claim field, stance field) pairs, for the template."""
        return [
            (self[f"claim_{row}"], self[f"stance_{row}"]) for row in range(1, MAX_TAGS_PER_POST + 1)
        ]

    def cleaned_tags(self) -> list[TagInput]:
        return [
            TagInput(
                claim=self.cleaned_data[f"claim_{row}"], stance=self.cleaned_data[f"stance_{row}"]
            )
            for row in range(1, MAX_TAGS_PER_POST + 1)
            if self.cleaned_data.get(f"claim_{row}", "").strip()
        ]

    @staticmethod
    def initial_for(post: Post) -> dict:
        initial = {}
        for row, tag in enumerate(post.tags.select_related("claim").order_by("pk"), start=1):
            initial[f"claim_{row}"] = tag.claim.canonical.text
            initial[f"stance_{row}"] = tag.stance
        return initial
