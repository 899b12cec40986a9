from django import forms

from apps.accounts.models import User
from apps.forum.models import Topic
from apps.search.selectors import MAX_QUERY_LENGTH, search_words

POSTS, CLAIMS = "posts", "claims"
QUERY_HELP = (
    'Words to find (all of them); "a phrase" in quotes; -word leaves out what has it;'
    " or between words finds either."
)


class SearchForm(forms.Form):
    """What to look for, where: the search page's and the header box's GET parameters."""

    q = forms.CharField(
        label="Search for",
        help_text=QUERY_HELP,
        strip=False,  # search_words collapses blanks itself, after looking for controls
        error_messages={"required": "Type the words to search for."},
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH}),
    )
    type = forms.ChoiceField(
        choices=[(POSTS, "Posts"), (CLAIMS, "Claims")], required=False, widget=forms.HiddenInput
    )
    topic = forms.ModelChoiceField(
        Topic.objects.order_by("title"),
        to_field_name="slug",
        required=False,
        empty_label="All topics",
        error_messages={"invalid_choice": "There is no such topic: choose one from the list."},
    )
    author = forms.CharField(
        label="By member",
        required=False,
        max_length=150,
        help_text="A username, to see only what that member wrote.",
    )

    def clean_q(self) -> str:
        return search_words(self.cleaned_data["q"])

    def clean_type(self) -> str:
        return self.cleaned_data["type"] or POSTS

    def clean_author(self) -> User | None:
        username = self.cleaned_data["author"].strip()
        if not username:
            return None
        author = User.objects.filter(username=username).first()
        if author is None:
            raise forms.ValidationError(f"No member is called “{username}”.")
        return author
