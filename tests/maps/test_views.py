"""The map pages: the overview (main claims ranked, filter, paging) and a claim in focus
(its two columns, breadcrumbs, "n more"), read from rows, working without JavaScript."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.claims.models import Claim
from apps.maps.models import MapDirtyMark
from apps.maps.selectors import CARDS_PER_COLUMN
from apps.maps.services import map_build
from tests.factories import TopicFactory, UserFactory, make_thread
from tests.maps.helpers import claim_id, merge, say, tag_post
from tests.maps.rows import Node, star, store_map

pytestmark = pytest.mark.django_db


def get(url: str, **params) -> str:
    response = Client().get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def overview(topic, **params) -> str:
    return get(reverse("maps:map", args=[topic.slug]), **params)


def focus(topic, pk: int, **params) -> str:
    return get(reverse("maps:focus", args=[topic.slug, pk]), **params)


def entries(html: str) -> list[str]:
    """The claims listed on an overview page, in order."""
    return re.findall(r'<p class="entry-claim"><a href="[^"]+">([^<]+)</a>', html)


def section(html: str, heading_id: str) -> str:
    """The section under the heading with this id, up to the next section."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.find("</section>", start)]


def cards(html: str) -> list[str]:
    return re.findall(r'<p class="card-claim"><a href="[^"]+">([^<]+)</a>', html)


def breadcrumbs(html: str) -> str:
    start = html.index('class="breadcrumb"')
    return html[start : html.index("</nav>", start)]


def ids_of(topic, *texts: str) -> list[int]:
    return [claim_id(topic, text) for text in texts]


@pytest.fixture
def debate(thread, member):
    """Three theses: «Training is fair use» (0.13) attacked by «Models store copies» (0.75)
    and «Artists lose income» (0.67); «Many agree» (0.46) attacked by «One objects»; and
    «Few agree» (0.40), alone."""
    bob, carol, dave, erin = (
        UserFactory(username=name) for name in ["bob", "carol", "dave", "erin"]
    )
    opening = tag_post(thread.opening_post, supports=["Training is fair use"])
    say(opening, bob, supports=["Artists lose income"], opposes=["Training is fair use"])
    copies = say(opening, carol, supports=["Models store copies"], opposes=["Training is fair use"])
    say(copies, dave, supports=["Models store copies"])
    weak = say(opening, bob, supports=["Few agree"])
    say(weak, carol, opposes=["Few agree"])
    say(weak, dave, opposes=["Few agree"])
    many = say(opening, carol, supports=["Many agree"])
    say(many, dave, supports=["Many agree"])
    say(many, erin, supports=["Many agree"])
    say(many, bob, supports=["One objects"], opposes=["Many agree"])
    map_build(topic_id=thread.topic_id)
    return thread.topic


# --- the overview -----------------------------------------------------------------------


def test_the_overview_ranks_the_main_claims_by_strength_with_their_strongest_con(debate):
    html = overview(debate)

    assert entries(html) == ["Many agree", "Few agree", "Training is fair use"]
    fair_use = html[html.index(">Training is fair use</a>") :]
    assert '<strong class="strength-word">weak</strong>' in fair_use
    assert "1 for · 2 against · 0 claims support it · 2 attack it" in fair_use
    thesis, copies = ids_of(debate, "Training is fair use", "Models store copies")
    con = f'<a href="/topics/ai-art/map/claims/{copies}/?path={thesis}">Models store copies</a>'
    assert f"Strongest con:</span> {con}" in fair_use
    assert "Strongest pro" not in fair_use and "(strong)" in fair_use


def test_each_main_claim_links_to_its_focus(debate):
    html = overview(debate)
    fair_use = claim_id(debate, "Training is fair use")
    assert f'<a href="/topics/ai-art/map/claims/{fair_use}/">Training is fair use</a>' in html


def test_the_overview_says_the_maps_size_and_offers_every_export(debate):
    html = overview(debate)
    assert "Version 1, built at" in html and "rebuilding" not in html
    assert "6 claims · 0 support and 3 attack relations" in html
    assert "Download the whole map (6 claims, 3 relations):" in html
    for format in ["json", "aif", "argdown", "graphml", "dot"]:
        assert f"/topics/{debate.slug}/map/export/{format}/" in html


def test_no_page_of_the_overview_inlines_the_whole_map(topic):
    store_map(topic, [Node(f"Thesis {n:02}", strength=1 - n / 100) for n in range(45)], [])
    html = overview(topic)

    assert len(entries(html)) == 20 and "Thesis 19" in html and "Thesis 20" not in html
    assert "map-canvas" not in html and "cytoscape" not in html
    assert 'rel="next" href' not in html and 'href="?page=2" rel="next">Next</a>' in html
    assert entries(overview(topic, page=3)) == [f"Thesis {n}" for n in range(40, 45)]
    assert entries(overview(topic, page="junk")) == entries(html)


def test_all_claims_by_strength_is_a_tab_of_its_own(debate):
    html = overview(debate, show="all")
    assert entries(html)[:2] == ["Models store copies", "Artists lose income"]
    assert len(entries(html)) == 6 and 'href="?show=all" aria-current="page"' not in html
    assert '<a href="/topics/ai-art/map/?show=all" aria-current="page">' in html
    assert entries(overview(debate, show="nonsense")) == entries(overview(debate))


def test_the_filter_finds_any_claim_of_the_map_misspelt_without_javascript(debate):
    html = overview(debate, q="modles stor copeis")

    assert entries(html)[0] == "Models store copies"  # not a main claim, still found
    assert 'value="modles stor copeis"' in html and "Claims like «modles stor copeis»" in html
    assert '<form method="get" action="/topics/ai-art/map/" role="search"' in html
    assert "No claim of this map is like «zebra»" in overview(debate, q="zebra")
    assert "Claims like «" + "z" * 200 + "»" in overview(debate, q="z" * 10_000)
    assert entries(overview(debate, q="fair\x00use")) == entries(overview(debate))  # refused


def test_the_filter_pages_and_keeps_its_words(topic):
    store_map(topic, [Node(f"Licensing claim {n:02}", strength=0.5) for n in range(25)], [])
    html = overview(topic, q="licensing")

    assert len(entries(html)) == 20 and "25 claims, nearest first" in html
    assert 'href="?q=licensing&amp;page=2" rel="next"' in html
    assert len(entries(overview(topic, q="licensing", page=2))) == 5


def test_the_overview_says_when_a_rebuild_is_pending(debate):
    MapDirtyMark.objects.create(topic=debate)
    assert "rebuilding…" in overview(debate)


def test_a_topic_without_tags_explains_how_the_map_grows(topic):
    html = overview(topic)
    assert "No map built yet" in html and "Tag a reply" in html
    assert Client().get("/topics/nope/map/").status_code == 404


# --- a claim in focus -------------------------------------------------------------------


def test_the_focus_shows_the_claim_then_its_supporters_and_attackers_strongest_first(
    debate, thread
):
    fair_use = claim_id(debate, "Training is fair use")
    html = focus(debate, fair_use)

    assert "<h1>Training is fair use</h1>" in html
    order = [
        html.index('class="strength-summary"'),
        html.index("1 person supports it · 2 oppose it"),
        html.index('id="endorsement"'),
        html.index('<p class="standing">Has an unanswered objection'),
        html.index('id="pro-heading"'),
        html.index('id="con-heading"'),
    ]
    assert order == sorted(order)
    assert "No claim supports it." in section(html, "pro-heading")
    against = section(html, "con-heading")
    assert cards(against) == ["Models store copies", "Artists lose income"]
    assert "2 for · 0 against · 0 claims support it · 0 attack it" in against
    assert "Drawn by 1 person in:" in against and "carol</a>: <q>carol answers post" in against


def test_a_card_links_to_its_focus_with_the_path_so_far(debate):
    fair_use, copies = ids_of(debate, "Training is fair use", "Models store copies")
    html = focus(debate, fair_use, path="3,4")  # not on the map: dropped
    card = f'<a href="/topics/ai-art/map/claims/{copies}/?path={fair_use}">Models store copies</a>'
    assert card in html


def test_the_focus_lists_what_the_claim_bears_on_with_links_up(debate):
    copies = claim_id(debate, "Models store copies")
    html = focus(debate, copies)
    bears_on = section(html, "bears-on-heading")
    fair_use = claim_id(debate, "Training is fair use")
    assert "It attacks" in bears_on and "It supports" not in bears_on
    assert f'<a href="/topics/ai-art/map/claims/{fair_use}/">Training is fair use</a>' in bears_on


def test_breadcrumbs_follow_the_path_each_linking_back_with_its_own_path(debate):
    fair_use, copies = ids_of(debate, "Training is fair use", "Models store copies")
    income = claim_id(debate, "Artists lose income")
    html = focus(debate, income, path=f"{fair_use},{copies}")

    crumbs = breadcrumbs(html)
    assert re.findall(r">([^<>›]+)</a>", crumbs) == [
        "Topics", "AI art", "Map", "Training is fair use", "Models store copies",
    ]  # fmt: skip
    assert f'href="/topics/ai-art/map/claims/{fair_use}/">Training is fair use' in crumbs
    assert f'href="/topics/ai-art/map/claims/{copies}/?path={fair_use}">Models store' in crumbs
    assert '<span aria-current="page">Artists lose income</span>' in crumbs


@pytest.mark.parametrize(
    "path",
    [
        "x,-1,999999,1;drop,{known}",
        "{known},%00,,, ,1e3,0x1F,99999999999999999999999999",
        ",".join(str(n) for n in range(10_000)) + ",{known}",
        "{known}" + ",abc" * 5_000,
        "\x00,{known}\x00,{known}",
    ],
)
def test_a_hostile_path_gives_a_clean_page(debate, path):
    fair_use, copies = ids_of(debate, "Training is fair use", "Models store copies")
    html = focus(debate, copies, path=path.format(known=fair_use))

    crumbs = breadcrumbs(html)
    assert re.findall(r">([^<>›]+)</a>", crumbs)[3:] in (["Training is fair use"], [])
    assert crumbs.count("<a ") <= 3 + 20


def test_a_long_path_keeps_its_last_twenty_claims(topic):
    ids = store_map(topic, [Node(f"Claim {n}") for n in range(25)], [])
    html = focus(topic, ids[24], path=",".join(map(str, ids[:24])))
    crumbs = breadcrumbs(html)
    assert re.findall(r">(Claim \d+)</a>", crumbs) == [f"Claim {n}" for n in range(4, 24)]


def test_a_column_shows_its_cards_and_pages_through_the_rest(topic):
    ids = star(topic, pros=2, cons=CARDS_PER_COLUMN + 5)
    html = focus(topic, ids[0], path="")

    against = html[html.index('id="con-heading"') :]
    assert len(cards(against)) == CARDS_PER_COLUMN and len(cards(section(html, "pro-heading"))) == 2
    more = f'href="/topics/{topic.slug}/map/claims/{ids[0]}/?more=attack&amp;page=2" rel="next"'
    shown = f"1–{CARDS_PER_COLUMN} of {CARDS_PER_COLUMN + 5}"
    assert f"{more}>5 more against it</a>" in against and shown in against

    second = focus(topic, ids[0], more="attack", page="2")
    assert cards(second[second.index('id="con-heading"') :]) == [
        f"A attack number {n}" for n in range(CARDS_PER_COLUMN, CARDS_PER_COLUMN + 5)
    ]
    assert (
        f'<ol class="cards" start="{CARDS_PER_COLUMN + 1}">' in second
        and 'rel="prev">Stronger ones</a>' in second
    )
    assert len(cards(section(second, "pro-heading"))) == 2
    for junk in [{"more": "sideways", "page": "2"}, {"more": "attack", "page": "-3"}]:
        assert cards(focus(topic, ids[0], **junk)) == cards(html)


def test_an_aliases_focus_redirects_to_its_targets_keeping_the_path(topic):
    ids = store_map(topic, [Node("Target"), Node("Elsewhere")], [])
    alias = Claim.objects.create(topic=topic, text="Alias", key="alias")
    merge(alias.pk, ids[0])
    response = Client().get(reverse("maps:focus", args=[topic.slug, alias.pk]), {"path": ids[1]})
    assert response.status_code == 302
    assert response.url == f"/topics/{topic.slug}/map/claims/{ids[0]}/?path={ids[1]}"


def test_a_claim_off_the_map_says_so_with_links_back(debate):
    untagged = Claim.objects.create(topic=debate, text="Nobody says", key="nobody says")
    html = focus(debate, untagged.pk, path="1,2")

    assert "Not on the map yet (map version 1)" in html and "<meter" not in html
    assert f'<a href="/topics/{debate.slug}/map/">the map of AI art</a>' in html
    assert f'<a href="/claims/{untagged.pk}/">the posts on this claim</a>' in html
    assert 'id="pro-heading"' not in html and 'id="neighbourhood"' not in html


def test_a_claim_of_another_topic_or_none_is_not_found(debate):
    elsewhere = make_thread(topic=TopicFactory(slug="other"), title="t").topic
    foreign = Claim.objects.create(topic=elsewhere, text="Foreign", key="foreign")
    assert Client().get(reverse("maps:focus", args=[debate.slug, foreign.pk])).status_code == 404
    assert Client().get(reverse("maps:focus", args=[debate.slug, 999_999])).status_code == 404
    assert Client().get(reverse("maps:focus", args=["nope", foreign.pk])).status_code == 404


def test_the_focus_holds_the_graph_and_the_live_parts_and_runs_nothing_inline(debate):
    fair_use = claim_id(debate, "Training is fair use")
    html = focus(debate, fair_use)
    assert (
        f'<section id="neighbourhood" class="neighbourhood" aria-label="Neighbourhood graph" '
        f'data-url="/topics/ai-art/map/claims/{fair_use}/neighbourhood.json" '
        f'data-focus-url-template="/topics/ai-art/map/claims/0/"'
    ) in html
    assert '<div id="map-live">' in html and 'id="map-status"' in html
    assert "<script>" not in html and "style=" not in html


# --- what a page costs ------------------------------------------------------------------


def sized_map(size: int):
    """A topic whose map has `size` claims: two theses, pros and cons of the first, an
    objection to its strongest pro; every relation drawn by one post."""
    thread = make_thread(topic=TopicFactory(), title="t")
    pros = (size - 3) // 2
    ids = star(thread.topic, pros=pros, cons=size - 3 - pros, theses=2,
               evidence=[thread.opening_post.pk])  # fmt: skip
    return thread.topic, ids


PAGES = {
    "overview": lambda topic, ids: reverse("maps:map", args=[topic.slug]),
    "all claims": lambda topic, ids: reverse("maps:map", args=[topic.slug]) + "?show=all",
    "filter": lambda topic, ids: reverse("maps:map", args=[topic.slug]) + "?q=number",
    "focus": lambda topic, ids: (
        reverse("maps:focus", args=[topic.slug, ids[0]]) + f"?path={ids[1]}"
    ),
    "focus on a reason": lambda topic, ids: reverse("maps:focus", args=[topic.slug, ids[2]]),
    "claim page": lambda topic, ids: reverse("claims:claim", args=[ids[0]]),
    "claim API": lambda topic, ids: f"/api/claims/{ids[0]}/",
}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_costs_the_same_queries_for_5_claims_as_for_60(page, db):
    counts = []
    for size in (5, 60):
        topic, ids = sized_map(size)
        url = PAGES[page](topic, ids)
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{page}: {counts}"


# --- the live poll ----------------------------------------------------------------------


def status_of(topic, **headers):
    return Client().get(reverse("maps:status", args=[topic.slug]), headers=headers)


def test_the_status_poll_answers_the_version_and_dirty_mark_revalidated_every_time(debate):
    response = status_of(debate)

    assert response.json() == {"version": 1, "dirty": False}
    assert response["Cache-Control"] == "no-cache" and response["ETag"] == '"map-1-0"'


def test_the_status_poll_answers_304_while_nothing_changed(debate):
    etag = status_of(debate)["ETag"]

    unchanged = status_of(debate, if_none_match=etag)

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == etag and unchanged["Cache-Control"] == "no-cache"


def test_a_pending_rebuild_then_a_new_version_each_change_the_etag(debate, thread, member):
    etag = status_of(debate)["ETag"]
    say(thread.opening_post, member, supports=["A new reason"])

    dirty = status_of(debate, if_none_match=etag)
    assert dirty.status_code == 200 and dirty.json() == {"version": 1, "dirty": True}
    map_build(topic_id=debate.pk)
    built = status_of(debate, if_none_match=dirty["ETag"])
    assert built.status_code == 200 and built.json() == {"version": 2, "dirty": False}
    assert len({etag, dirty["ETag"], built["ETag"]}) == 3


def test_the_status_poll_reads_a_version_number_never_the_graph(debate):
    with CaptureQueriesContext(connection) as queries:
        assert status_of(debate).status_code == 200

    (query,) = [query["sql"] for query in queries.captured_queries]
    assert "graph" not in query and "stats" not in query
    assert "SELECT version FROM maps_argumentmap" in query and "maps_mapdirtymark" in query


def test_the_status_of_a_topic_without_a_map_or_of_none(topic):
    assert status_of(topic).json() == {"version": 0, "dirty": False}
    assert Client().get(reverse("maps:status", args=["nope"])).status_code == 404


def test_the_status_line_is_plain_without_javascript_and_names_its_poll(debate):
    html = overview(debate)
    start = html.index('<p id="map-status"')
    line = html[start : html.index("</p>", start)]
    assert f'data-status-url="{reverse("maps:status", args=[debate.slug])}"' in line
    assert 'data-version="1"' in line and "Version 1, built at" in line
    assert "hx-" not in line and "js/live.js" in html
