from django import forms

from apps.claims.models import Claim, ClaimTag
from apps.core.text import MAX_REASON_LENGTH


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in the public moderation log.",
    )


class MergeChoiceForm(forms.Form):
    """Which claims to merge: read from the query string, so a preview has a URL."""

    target = forms.ModelChoiceField(
        queryset=Claim.objects.none(), label="Keep this claim (the target)"
    )
    sources = forms.ModelMultipleChoiceField(
        queryset=Claim.objects.none(),
        label="Merge these claims into it",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, topic, **kwargs):
        super().__init__(*args, **kwargs)
        active = Claim.objects.active().in_topic(topic).order_by("text")
        self.fields["target"].queryset = active
        self.fields["sources"].queryset = active

    def clean(self):
        data = super().clean()
        if data.get("target") and data.get("target") in data.get("sources", []):
            raise forms.ValidationError("A claim cannot be merged into itself.")
        return data


class MergeConfirmForm(ReasonForm):
    """The reason, the fingerprint of the state previewed, and a stance per conflict: of a
    post's tags (`resolve_<post id>`) or a member's endorsements (`endorsement_<user id>`)."""

    fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, conflicts=(), member_conflicts=(), **kwargs):
        super().__init__(*args, **kwargs)
        for affected in conflicts:
            if affected.needs_choice:
                self.fields[f"resolve_{affected.post.pk}"] = self._stance(
                    f"Stance the merged tag of post {affected.post.pk} keeps"
                )
        for affected in member_conflicts:
            if affected.needs_choice:
                self.fields[f"endorsement_{affected.member.pk}"] = self._stance(
                    f"Stance the merged endorsement of {affected.member.username} keeps"
                )

    @staticmethod
    def _stance(label: str) -> forms.ChoiceField:
        return forms.ChoiceField(
            label=label, choices=ClaimTag.Stance.choices, widget=forms.RadioSelect
        )

    def resolutions(self) -> dict[int, str]:
        return self._chosen("resolve_")

    def member_resolutions(self) -> dict[int, str]:
        return self._chosen("endorsement_")

    def _chosen(self, prefix: str) -> dict[int, str]:
        return {
            int(name.removeprefix(prefix)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix)
        }


class ReportForm(forms.Form):
    reason = forms.CharField(
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What is wrong with it?",
        help_text="Only the moderators read this.",
    )


class ResolveForm(forms.Form):
    """How a moderator resolves the reports on an item: the button pressed and a note."""

    action = forms.ChoiceField(choices=[("dismiss", "Dismiss"), ("remove", "Remove the post")])
    note = forms.CharField(
        max_length=MAX_REASON_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
        help_text="Shown in the public moderation log and to the reporters; removing a post"
        " needs one, as its reason.",
    )
