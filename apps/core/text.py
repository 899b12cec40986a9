"""What every text a member writes must be, checked in one place: post bodies, thread
titles, claims, moderators' reasons, topics' descriptions and members' bios. The limits are
here, for models, forms and serializers to read."""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_BODY_LENGTH = 20_000
MAX_TITLE_LENGTH = 200
MAX_CLAIM_LENGTH = 200
MAX_REASON_LENGTH = 1000
MAX_DESCRIPTION_LENGTH = 2_000
MAX_BIO_LENGTH = 2_000


@dataclass(frozen=True)
class TextKind:
    what: str  # as the refusals name it
    max_length: int
    multiline: bool  # keeps its lines; a single line has its blanks collapsed to spaces
    blank: str  # the refusal of a text with nothing in it


BODY = TextKind("post", MAX_BODY_LENGTH, True, "The post is empty: write something.")
TITLE = TextKind("title", MAX_TITLE_LENGTH, False, "The title is empty: write something.")
CLAIM = TextKind("claim", MAX_CLAIM_LENGTH, False, "A claim needs words: write the proposition.")
REASON = TextKind(
    "reason", MAX_REASON_LENGTH, True, "Give a reason: it is shown in the moderation log."
)
DESCRIPTION = TextKind("description", MAX_DESCRIPTION_LENGTH, True, "")  # never required
BIO = TextKind("bio", MAX_BIO_LENGTH, True, "")  # never required: a blank bio clears it
REPORT = TextKind(  # a report's reason, which only moderators read
    "reason", MAX_REASON_LENGTH, True, "Say what is wrong with it: the moderators read your reason."
)


def clean_text(text: str | None, kind: TextKind, *, required: bool = True) -> str:
    """The text trimmed (a single line's blanks collapsed), or a ValidationError saying what
    to change: nothing in it (when required), too long, or a control character such as NUL
    (tabs and newlines are blanks, not controls)."""
    text = text or ""
    text = text.strip() if kind.multiline else " ".join(text.split())
    if required and not text:
        raise ValidationError(kind.blank, code="empty")
    if len(text) > kind.max_length:
        raise ValidationError(
            f"The {kind.what} can be at most {kind.max_length:,} characters;"
            f" this one has {len(text):,}.",
            code="too_long",
        )
    if any(unicodedata.category(char) == "Cc" and not char.isspace() for char in text):
        raise ValidationError(
            f"The {kind.what} contains control characters (NUL or the like):"
            " write it as plain text.",
            code="control",
        )
    return text
