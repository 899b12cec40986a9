from django import forms

from apps.claims.forms import TagRowsForm
from apps.forum.models import Post
from apps.forum.services import MAX_BODY_LENGTH, MAX_TITLE_LENGTH

BODY_HELP = "Markdown works: *emphasis*, **bold**, [links](https://example.org), `code`, > quotes."


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=MAX_BODY_LENGTH,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text=BODY_HELP,
            **kwargs,
        )


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    body = BodyField(label="Opening post")


class ReplyForm(TagRowsForm):
    body = BodyField(label="Your reply")
    response = forms.ChoiceField(
        label="Your response to the post you answer",
        choices=Post.Response.choices,
        initial=Post.Response.NEUTRAL,
        widget=forms.RadioSelect,
    )


class EditForm(TagRowsForm):
    body = BodyField(label="Post")


def reply_form(parent: Post, data=None) -> ReplyForm:
    """A reply form whose field ids are unique on a page holding several."""
    return ReplyForm(data, auto_id=f"reply-{parent.pk}-%s")
