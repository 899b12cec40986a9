"""The one text validator: blanks, length and control characters, for every kind of text."""

import pytest
from django.core.exceptions import ValidationError

from apps.core.text import BODY, CLAIM, REASON, TITLE, clean_text


def test_a_single_line_has_its_blanks_collapsed_and_a_body_keeps_its_lines():
    assert clean_text("  Is\ttraining \n fair use? ", TITLE) == "Is training fair use?"
    assert clean_text("\n First line\n\n\tsecond \n", BODY) == "First line\n\n\tsecond"


@pytest.mark.parametrize("kind", [BODY, TITLE, CLAIM, REASON])
def test_a_blank_text_is_refused_with_its_kinds_words_unless_optional(kind):
    with pytest.raises(ValidationError, match=kind.blank) as refusal:
        clean_text(" \n\t", kind)
    assert refusal.value.code == "empty"
    assert clean_text(None, kind, required=False) == ""


@pytest.mark.parametrize("kind", [BODY, TITLE, CLAIM, REASON])
def test_the_limit_counts_the_trimmed_text(kind):
    assert clean_text(" " + "x" * kind.max_length + " ", kind) == "x" * kind.max_length
    with pytest.raises(ValidationError, match=f"at most {kind.max_length:,} characters"):
        clean_text("x" * (kind.max_length + 1), kind)


@pytest.mark.parametrize("text", ["nul \x00 byte", "bell\x07", "escape\x1b[31m", "del\x7f"])
@pytest.mark.parametrize("kind", [BODY, TITLE, CLAIM, REASON])
def test_control_characters_are_refused_everywhere(kind, text):
    with pytest.raises(ValidationError, match="control characters") as refusal:
        clean_text(text, kind)
    assert refusal.value.code == "control"
