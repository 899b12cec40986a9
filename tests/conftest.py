import pytest
from django.test import Client

from tests.factories import TopicFactory, UserFactory, make_thread


@pytest.fixture
def member(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_member(db):
    return UserFactory(username="bob")


@pytest.fixture
def topic(db):
    return TopicFactory(slug="ai-art", title="AI art")


@pytest.fixture
def thread(topic, member):
    return make_thread(topic=topic, author=member, title="Is training fair use?")


@pytest.fixture
def logged_in(member) -> Client:
    """A browser session of `member`."""
    client = Client()
    client.force_login(member)
    return client
