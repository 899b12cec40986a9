"""The map views' query strings. A link can be mangled by hand or by a hostile page: what
cannot be read falls back to the default, so every address gives a clean page."""

import re

from django import forms

MAX_PATH = 20  # claims kept in a focus path: the nearest ones
MAX_PATH_CHARS = 4_000  # read only this tail of a longer path
CLAIM_ID = re.compile(r"\d{1,18}")  # within PostgreSQL's bigint
MAX_QUERY_CHARS = 200  # a filter longer than any claim finds nothing more


def path_ids(raw: str) -> list[int]:
    """The claim ids of a path such as "1,5,9", the last MAX_PATH of them; anything that is
    not a claim id is dropped."""
    parts = raw[-MAX_PATH_CHARS:].split(",")
    if len(raw) > MAX_PATH_CHARS:
        parts = parts[1:]  # perhaps the tail of a number cut in two
    ids = [int(part) for part in (part.strip() for part in parts) if CLAIM_ID.fullmatch(part)]
    return [pk for pk in ids if pk > 0][-MAX_PATH:]


class PathField(forms.CharField):
    def to_python(self, value) -> list[int]:
        return path_ids(super().to_python(value))


class LenientForm(forms.Form):
    def value(self, name: str, default=None):
        """The field's clean value, or `default` when it was absent or unreadable."""
        self.is_valid()
        return self.cleaned_data.get(name) or default


class OverviewForm(LenientForm):
    """The overview's filter box, which list it shows, and the page."""

    q = forms.CharField(required=False, label="Find a claim")
    show = forms.ChoiceField(
        required=False, choices=[("main", "Main claims"), ("all", "All claims by strength")]
    )
    page = forms.CharField(required=False)  # the paginator reads what it can

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:MAX_QUERY_CHARS]  # no claim is longer


class FocusForm(LenientForm):
    """A claim in focus: the path of claims taken to it, and which page of which column."""

    path = PathField(required=False)
    more = forms.ChoiceField(required=False, choices=[("support", "support"), ("attack", "attack")])
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)
