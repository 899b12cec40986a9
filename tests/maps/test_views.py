import pytest
from django.test import Client

from apps.claims.services import TagInput
from apps.forum import services as forum
from apps.maps.models import MapRequest
from apps.maps.services import map_build
from tests.factories import UserFactory
from tests.maps.helpers import say, tag_post

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
    assert outline.index(">Copies</a>") < outline.index(">Fair use</a>")  # stronger first
    assert 'aria-label="Attacked by"' in outline and "attacked by <a" in outline
    assert 'id="map-canvas"' in html and "vendor/cytoscape/cytoscape.min.js" in html
    for format in ["json", "aif", "argdown", "graphml", "dot"]:
        assert f"/topics/{mapped.slug}/map/export/{format}/" in html


def outline_entry(outline: str, text: str) -> str:
    """The outline's item for the claim `text`, up to the next claim's item."""
    start = outline.rindex("<li data-claim=", 0, outline.index(f">{text}</a>"))
    end = outline.find("<li data-claim=", start + 1)
    return outline[start : end if end > 0 else None]


def test_the_outline_orders_claims_by_strength_not_by_standing(thread, member):
    bob, carol, dave, erin = (
        UserFactory(username=name) for name in ["bob", "carol", "dave", "erin"]
    )
    opening = tag_post(thread.opening_post, supports=["Training is fair use"])
    say(opening, bob, supports=["Artists lose income"], opposes=["Training is fair use"])
    copies = say(opening, carol, supports=["Models store copies"], opposes=["Training is fair use"])
    say(copies, dave, supports=["Models store copies"])
    weak = say(opening, bob, supports=["Few agree"])  # IN, no attacker, 1 for and 2 against
    say(weak, carol, opposes=["Few agree"])
    say(weak, dave, opposes=["Few agree"])
    many = say(opening, carol, supports=["Many agree"])  # OUT, 3 for and 1 against
    say(many, dave, supports=["Many agree"])
    say(many, erin, supports=["Many agree"])
    say(many, bob, supports=["One objects"], opposes=["Many agree"])
    map_build(topic_id=thread.topic_id)
    html = Client().get(f"/topics/{thread.topic.slug}/map/").content.decode()
    outline = html[html.index('id="outline-heading"') :]
    entries = [
        entry.split("</a>")[0].split(">")[-1] for entry in outline.split("<li data-claim=")[1:]
    ]
    assert entries == [
        "Models store copies",  # 0.75
        "Artists lose income",  # 0.67, 1 supporter, lower id
        "One objects",  # 0.67
        "Many agree",  # 0.46, OUT
        "Few agree",  # 0.40, IN
        "Training is fair use",  # 0.32
    ]
    many_entry = outline_entry(outline, "Many agree")
    assert '<strong class="strength-word">balanced</strong>' in many_entry
    assert "3 for · 1 against" in many_entry and ">OUT</span>" in many_entry
    fair_use = outline_entry(outline, "Training is fair use")
    attacked_by = fair_use[fair_use.index('aria-label="Attacked by"') :]
    assert attacked_by.index(">Models store copies</a>") < attacked_by.index(">Artists lose income")
    assert "attacked by <a" in attacked_by and "(strong)" in attacked_by


def test_the_legend_says_colour_is_strength_and_shape_is_the_grounded_label(mapped):
    html = Client().get(f"/topics/{mapped.slug}/map/").content.decode()
    legend = html[html.index('class="legend"') : html.index('class="exports"')]
    assert "colour: strength, from red (weak) through grey (balanced) to green (strong)" in legend
    assert "circle: every objection answered, or none (IN)" in legend
    assert "diamond: has an unanswered objection (OUT)" in legend


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
