from dataclasses import dataclass

from django import forms

from apps.claims.models import MAX_TAGS_PER_POST, ClaimTag
from apps.claims.services.tags import TagInput
from apps.core.text import MAX_CLAIM_LENGTH
from apps.forum.models import Post

WITHDRAW = "withdraw"
ROWS = range(1, MAX_TAGS_PER_POST + 1)
ADD_ROW = "add_claim"  # the name of the "Add another claim" button
ROWS_SHOWN = "claim_rows"  # how many claim rows the author had open


class EndorsementForm(forms.Form):
    """A member's endorsement button: take a stance on the claim, or withdraw it."""

    stance = forms.ChoiceField(choices=[*ClaimTag.Stance.choices, (WITHDRAW, WITHDRAW)])


@dataclass
class TagRow:
    claim: forms.BoundField
    stance: forms.BoundField
    shown: bool


class TagRowsForm(forms.Form):
    """Up to MAX_TAGS_PER_POST rows of (claim, stance): one shown at first, another each time
    the author asks, an empty claim leaving its row unused, and no stance taken for granted.

    A press of one of `redraw_buttons` (another row; a preview) asks to see the form again:
    it comes back as the author left it, unbound, so nothing is checked or saved yet.
    """

    redraw_buttons = (ADD_ROW,)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        for row in ROWS:
            self.fields[f"claim_{row}"] = forms.CharField(
                label=f"Claim {row}",
                required=False,
                max_length=MAX_CLAIM_LENGTH,
                widget=forms.TextInput(attrs={"autocomplete": "off", "class": "claim-input"}),
            )
            self.fields[f"stance_{row}"] = forms.ChoiceField(
                label=f"Stance on claim {row}",
                choices=[("", "supports or opposes?"), *ClaimTag.Stance.choices],
                required=False,
            )
        self.redrawn = data is not None and any(name in data for name in self.redraw_buttons)
        adding = self.redrawn and ADD_ROW in data
        if self.redrawn:
            posted = data.dict() if hasattr(data, "dict") else dict(data)
            self.initial = {**self.initial, **posted}
            self.data, self.is_bound = {}, False
        self.rows_shown = min(self._rows_open() + (1 if adding else 0), MAX_TAGS_PER_POST)

    def _rows_open(self) -> int:
        """One row, or as many as the author had open or filled in."""
        values = self.data if self.is_bound else self.initial
        filled = [row for row in ROWS if str(values.get(f"claim_{row}") or "").strip()]
        try:
            opened = int(values.get(ROWS_SHOWN) or 0)
        except (TypeError, ValueError):
            opened = 0
        return max(1, opened, *filled)

    def clean(self):
        cleaned = super().clean()
        for row in ROWS:
            claim = (cleaned.get(f"claim_{row}") or "").strip()
            if claim and not cleaned.get(f"stance_{row}") and f"stance_{row}" not in self.errors:
                self.add_error(
                    f"stance_{row}", f"Choose whether your post supports or opposes «{claim}»."
                )
        return cleaned

    @property
    def can_add_row(self) -> bool:
        return self.rows_shown < MAX_TAGS_PER_POST

    def tag_rows(self) -> list[TagRow]:
        return [
            TagRow(self[f"claim_{row}"], self[f"stance_{row}"], shown=row <= self.rows_shown)
            for row in ROWS
        ]

    def cleaned_tags(self) -> list[TagInput]:
        return [
            TagInput(
                claim=self.cleaned_data[f"claim_{row}"], stance=self.cleaned_data[f"stance_{row}"]
            )
            for row in ROWS
            if self.cleaned_data.get(f"claim_{row}", "").strip()
        ]

    @staticmethod
    def initial_for(post: Post) -> dict:
        initial = {}
        for row, tag in enumerate(post.tags.select_related("claim").order_by("pk"), start=1):
            initial[f"claim_{row}"] = tag.claim.canonical.text
            initial[f"stance_{row}"] = tag.stance
        return initial
