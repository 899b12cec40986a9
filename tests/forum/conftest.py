import pytest

from apps.claims.services.tags import TagInput
from tests.factories import make_reply


@pytest.fixture
def claimed(thread, other_member):
    """A reply of bob's that supports «Fair use» and opposes «Models store copies»."""
    return make_reply(
        thread.opening_post,
        author=other_member,
        tags=[TagInput("Fair use", "supports"), TagInput("Models store copies", "opposes")],
    )
