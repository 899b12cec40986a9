import pytest
from django.test import Client

from apps.claims.services import TagInput
from apps.forum import services as forum
from apps.maps.models import MapRequest
from apps.maps.services import map_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(thread, member, other_member):
    claim = forum.reply_create(
        parent=thread.opening_post, author=member, body="a", tags=[TagInput("Fair use", "supports")]
    )
    forum.reply_create(
        parent=claim,
        author=other_member,
        body="b",
        response="disagree",
        tags=[TagInput("Copies", "supports")],
    )
    map_build(topic_id=thread.topic_id)
    return thread.topic


def test_the_map_page_without_javascript_is_an_outline_of_the_same_map(mapped):
    html = Client().get(f"/topics/{mapped.slug}/map/").content.decode()
    assert "Version 1, built at" in html and "rebuilding" not in html
    outline = html[html.index('id="outline-heading"') :]
    assert outline.index(">Copies</a>") < outline.index(">Fair use</a>")  # IN before OUT
    assert 'aria-label="Attacked by"' in outline and "attacked by <a" in outline
    assert 'id="map-canvas"' in html and "vendor/cytoscape/cytoscape.min.js" in html
    for format in ["json", "aif", "argdown", "graphml", "dot"]:
        assert f"/topics/{mapped.slug}/map/export/{format}/" in html


def test_the_map_page_says_when_a_rebuild_is_pending(mapped):
    MapRequest.objects.create(topic=mapped)
    html = Client().get(f"/topics/{mapped.slug}/map/").content.decode()
    assert "rebuilding…" in html and 'hx-trigger="every 3s"' in html
    status = Client().get(f"/topics/{mapped.slug}/map/status/").content.decode()
    assert 'data-version="1"' in status and "rebuilding…" in status


def test_a_topic_without_tags_explains_how_the_map_grows(topic):
    html = Client().get(f"/topics/{topic.slug}/map/").content.decode()
    assert "No map built yet" in html and "Tag a reply" in html
    assert Client().get("/topics/nope/map/").status_code == 404
