from django import forms

from apps.accounts.models import User
from apps.notifications.models import Preferences

MAX_ID_DIGITS = 18  # fits PostgreSQL's bigint


class PreferencesForm(forms.Form):
    email_address = forms.EmailField(
        required=False,
        max_length=User._meta.get_field("email").max_length,
        label="Email address",
        help_text="For notifications and password reset.",
    )
    email = forms.ChoiceField(
        choices=Preferences.Email.choices,
        widget=forms.RadioSelect,
        label="Email me about notifications",
    )
    watch_by_default = forms.BooleanField(
        required=False, label="Watch the threads I start or reply in"
    )


class MarkReadForm(forms.Form):
    """`all`, or the ids of the notifications to mark read (`id`, repeated)."""

    all = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        ids = self.data.getlist("id")
        if not all(pk.isdigit() and len(pk) <= MAX_ID_DIGITS for pk in ids):
            raise forms.ValidationError("Notification ids are positive whole numbers.")
        cleaned["ids"] = None if cleaned.get("all") or not ids else [int(pk) for pk in ids]
        return cleaned
