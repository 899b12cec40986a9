from django import forms
from django.contrib.auth.forms import UserCreationForm

from apps.accounts.models import User
from apps.core.text import MAX_BIO_LENGTH


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def validate_password_for_user(self, user, **kwargs):
        # What is wrong with the password shows under it; the confirmation field only says
        # that the two differ.
        super().validate_password_for_user(user, password_field_name="password1")

    def full_clean(self):
        """Validate; when something is wrong, the page opens with the cursor in the first
        field that says what."""
        super().full_clean()
        first_error = next((name for name in self.fields if name in self.errors), None)
        if first_error:
            for name, field in self.fields.items():
                field.widget.attrs.pop("autofocus", None)
                if name == first_error:
                    field.widget.attrs["autofocus"] = True

    def clean_username(self):
        username = super().clean_username()  # None when it already reported a taken name
        if username is not None and not any(char.isalnum() for char in username):
            # "." or ".." would make a profile address that browsers rewrite away.
            raise forms.ValidationError("A username needs at least one letter or digit.")
        return username


class ProfileForm(forms.Form):
    bio = forms.CharField(
        max_length=MAX_BIO_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Bio",
        help_text=f"A few words about you, shown on your profile. Markdown works; at most"
        f" {MAX_BIO_LENGTH:,} characters.",
    )
