from django import forms
from django.contrib.auth.forms import UserCreationForm

from apps.accounts.models import User


class SignupForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_username(self):
        username = super().clean_username()  # None when it already reported a taken name
        if username is not None and not any(char.isalnum() for char in username):
            # "." or ".." would make a profile address that browsers rewrite away.
            raise forms.ValidationError("A username needs at least one letter or digit.")
        return username
