from django import forms
from django.utils.safestring import SafeString, mark_safe

from apps.claims.forms import ADD_ROW, TagRowsForm
from apps.claims.models import MAX_TAGS_PER_POST, ClaimTag
from apps.core.text import MAX_BODY_LENGTH, MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH
from apps.forum.models import Post
from apps.forum.rendering import render_body
from apps.forum.selectors import claims_to_answer
from apps.forum.services.posting import Answer
from apps.forum.services.topics import MAX_SLUG_LENGTH

PREVIEW = "preview"  # the name of the "Preview" button
BODY_HELP = "Markdown works: *emphasis*, **bold**, [links](https://example.org), `code`, > quotes."
# What the post-level response does to the map (DESIGN.md, version 2 rules, part 1).
ONE_CLAIM_RULE = (
    "Your agree/disagree counts as your stance on the post's claim only when it makes"
    " exactly one claim"
)
RESPONSE_HELP_NO_CLAIMS = (
    f"{ONE_CLAIM_RULE}; that post makes none yet, so your response only shows beside your post."
)
RESPONSE_HELP_REPLY = (
    f"{ONE_CLAIM_RULE} and you leave it “not addressed” below; when it makes several,"
    " answer each below."
)
RESPONSE_HELP_EDIT = (
    f"{ONE_CLAIM_RULE} and your post does not tag that claim itself; when it makes several,"
    " tag each claim you answer below."
)


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=MAX_BODY_LENGTH,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text=BODY_HELP,
            **kwargs,
        )


class ResponseField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Your response to the post you answer",
            choices=Post.Response.choices,
            initial=Post.Response.NEUTRAL,
            widget=forms.RadioSelect,
            **kwargs,
        )


class PreviewForm(forms.Form):
    """A post's body as it will show: what the Preview button asks for."""

    body = BodyField(error_messages={"required": "Nothing to preview yet: write your post."})

    @property
    def html(self) -> SafeString:
        """The rendered body (sanitized by render_body); for a valid form."""
        return mark_safe(render_body(self.cleaned_data["body"]))


class PostForm(TagRowsForm):
    """A post's claim rows, and the preview of its body when the author asks for one."""

    redraw_buttons = (ADD_ROW, PREVIEW)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        previewing = self.redrawn and PREVIEW in data
        self.preview = PreviewForm({"body": data.get("body", "")}) if previewing else None


class ThreadForm(PostForm):
    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    body = BodyField(label="Opening post")


class ReplyForm(PostForm):
    """A reply, with one agree / disagree / not addressed question per claim of the parent."""

    body = BodyField(label="Your reply")
    response = ResponseField()
    max_tags = MAX_TAGS_PER_POST  # answers and claim rows together

    def __init__(self, *args, claims: list[ClaimTag] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.claims = claims
        self.fields["response"].help_text = (
            RESPONSE_HELP_REPLY if claims else RESPONSE_HELP_NO_CLAIMS
        )
        for tag in claims:
            claim = tag.claim.canonical
            self.fields[f"answer_{claim.pk}"] = forms.ChoiceField(
                label=f"Your answer to «{claim.text}»",
                choices=Answer.choices,
                initial=Answer.NOT_ADDRESSED,
                required=False,
                widget=forms.RadioSelect,
            )

    def answer_rows(self) -> list[tuple]:
        """(the parent's tag, its answer field) pairs, for the template."""
        return [(tag, self[f"answer_{tag.claim.canonical.pk}"]) for tag in self.claims]

    def cleaned_answers(self) -> dict[int, str]:
        """claim id -> answer; a question left unanswered is not addressed."""
        return {
            tag.claim.canonical.pk: self.cleaned_data.get(f"answer_{tag.claim.canonical.pk}")
            or Answer.NOT_ADDRESSED
            for tag in self.claims
        }


class EditForm(PostForm):
    """A post's body and tags, and a reply's response; the opening post answers no post."""

    body = BodyField(label="Post")
    response = ResponseField(required=False)  # left out, it stays as it is

    def __init__(self, data=None, *, post: Post):
        initial = {"body": post.body, "response": post.response, **self.initial_for(post)}
        super().__init__(data, initial=initial)
        if post.parent_id is None:
            del self.fields["response"]
        else:
            self.fields["response"].help_text = (
                RESPONSE_HELP_EDIT if claims_to_answer(post.parent) else RESPONSE_HELP_NO_CLAIMS
            )


def reply_form(parent: Post, data=None) -> ReplyForm:
    """A reply form whose field ids are unique on a page holding several."""
    return ReplyForm(data, auto_id=f"reply-{parent.pk}-%s", claims=claims_to_answer(parent))


class TopicForm(forms.Form):
    """A topic's title and description, and on creation its address."""

    title = forms.CharField(max_length=MAX_TITLE_LENGTH)
    description = forms.CharField(
        max_length=MAX_DESCRIPTION_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text: what the topic debates.",
    )
    slug = forms.CharField(
        max_length=MAX_SLUG_LENGTH,
        required=False,
        label="Address",
        help_text="/topics/<address>/: lower-case letters, digits and hyphens; left empty,"
        " it is made from the title. It cannot change later.",
    )

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["slug"]
