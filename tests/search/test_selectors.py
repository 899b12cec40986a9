"""Search reads (apps/search/selectors.py): what matches, in what order, what a snippet may
hold, and which queries are refused."""

import pytest
from django.core.exceptions import ValidationError

from apps.claims.services.claims import claim_create
from apps.claims.services.merge import claim_merge
from apps.claims.services.tags import TagInput
from apps.forum.services.post_state import post_delete, post_remove, post_restore
from apps.maps.services import map_build
from apps.search.selectors import (
    MAX_QUERY_LENGTH,
    START,
    STOP,
    claim_hits,
    claim_search,
    corrected_spelling,
    post_hits,
    post_search,
    search_words,
    snippet_html,
)
from tests.factories import TopicFactory, UserFactory, make_moderator, make_reply, make_thread

pytestmark = pytest.mark.django_db


def found(words: str, **filters) -> list[int]:
    return [row["post"] for row in post_search(words=search_words(words), **filters)]


def claims_found(words: str, **filters) -> list[int]:
    return [row["claim"] for row in claim_search(words=search_words(words), **filters)]


# --- the words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type the words"),
        (" \t\n ", "Type the words"),
        ("fair\x00use", "control characters"),
        ("fair\x07use", "control characters"),
        ("x" * (MAX_QUERY_LENGTH + 1), f"at most {MAX_QUERY_LENGTH}"),
        ("the and of", "too common"),
        ('""', "too common"),
        ("or", "too common"),
        ("- & | !", "too common"),
        ("-copyright", "not only words to leave out"),
        ('-"fair use" -art', "not only words to leave out"),
    ],
)
def test_a_query_with_nothing_to_look_for_is_refused_saying_why(query, message):
    with pytest.raises(ValidationError) as refusal:
        search_words(query)
    assert message in refusal.value.messages[0]


def test_blanks_collapse_and_a_query_at_the_limit_is_searched():
    assert search_words("  fair \t use\n") == "fair use"
    longest = "word " * (MAX_QUERY_LENGTH // 5)
    assert search_words(longest + "   ") == longest.strip()


# --- posts --------------------------------------------------------------------------------


@pytest.fixture
def debate(thread, member, other_member):
    opening = thread.opening_post
    return {
        "twice": make_reply(opening, author=member, body="Copyright, copyright: training copies."),
        "once": make_reply(opening, author=other_member, body="Copyright law is about copies."),
        "other": make_reply(opening, author=other_member, body="Style is not protected."),
    }


def test_posts_with_more_of_the_words_rank_first(debate):
    assert found("copyright") == [debate["twice"].pk, debate["once"].pk]


def test_words_match_their_other_forms(debate):
    assert found("protection") == [debate["other"].pk]  # "protected"
    assert set(found("copy")) == {debate["twice"].pk, debate["once"].pk}  # "copies"


def test_quotes_find_a_phrase_a_minus_leaves_out_and_or_finds_either(debate):
    assert found('"copyright law"') == [debate["once"].pk]
    assert found("law copyright") == [debate["once"].pk]
    assert found('"law copyright"') == []
    assert found("copyright -training") == [debate["once"].pk]
    assert set(found("style or training")) == {debate["twice"].pk, debate["other"].pk}


def test_posts_filter_by_topic_and_author(debate, thread, member, other_member):
    elsewhere = make_thread(topic=TopicFactory(), author=member, body="Copyright elsewhere")
    everywhere = set(found("copyright"))
    assert elsewhere.opening_post.pk in everywhere
    assert set(found("copyright", topic=thread.topic)) == {debate["twice"].pk, debate["once"].pk}
    assert found("copyright", author=other_member) == [debate["once"].pk]
    assert found("copyright", topic=thread.topic, author=member) == [debate["twice"].pk]


def test_deleted_and_removed_posts_never_match_and_a_restored_one_does(debate, member):
    post_delete(post=debate["twice"], actor=member)
    moderator = make_moderator()
    post_remove(post=debate["once"], moderator=moderator, reason="rude")
    assert found("copyright") == []
    post_restore(post=debate["once"], moderator=moderator, reason="fine after all")
    assert found("copyright") == [debate["once"].pk]


def test_the_rendered_html_is_not_searched(thread, member):
    linked = make_reply(thread.opening_post, author=member, body="[a source](https://example.org)")
    assert "nofollow" in linked.body_html
    assert found("nofollow") == []
    assert found("source") == [linked.pk]


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert('copyright')</script> copyright",
        "[copyright](javascript:alert(1)) and <img src=x onerror=alert(1)> copyright",
        f"copyright {START}<b>not a mark</b>{STOP} copyright",
        "<mark>copyright</mark> &lt;mark&gt; copyright",
    ],
)
def test_a_snippet_holds_the_post_text_escaped_and_only_our_marks(thread, member, body):
    post = make_reply(thread.opening_post, author=member, body=body)
    (hit,) = post_hits(post_search(words="copyright"), words="copyright")
    assert hit.pk == post.pk
    snippet = str(snippet_html(hit.headline))
    text = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in text and ">" not in text  # every other bracket escaped
    assert snippet.count("<mark>") == snippet.count("</mark>") >= 1
    assert "<mark>copyright</mark>" in snippet
    assert "<mark>&lt;b&gt;" not in snippet  # the body's own markers mark nothing
    assert START not in snippet and STOP not in snippet


def test_the_snippet_marks_the_words_found(thread, member):
    make_reply(thread.opening_post, author=member, body="Models learn styles. " * 3)
    (hit,) = post_hits(post_search(words="styles"), words="styles")
    assert "<mark>styles</mark>" in snippet_html(hit.headline)


# --- claims -------------------------------------------------------------------------------


@pytest.fixture
def claims(topic, member):
    def make(text):
        return claim_create(topic=topic, author=member, text=text)[0]

    return {
        "fair": make("Training AI on public images is fair use"),
        "copies": make("Models store copies of their training images"),
        "style": make("Style cannot be copyrighted"),
    }


def test_claims_match_by_words_and_by_spelling(claims):
    assert claims_found("copyright") == [claims["style"].pk]  # "copyrighted", by its stem
    assert claims_found("copyrigt") == [claims["style"].pk]  # a slip
    assert set(claims_found("trainng")) == {claims["fair"].pk, claims["copies"].pk}
    assert claims_found("fair use")[0] == claims["fair"].pk


def test_a_claim_spelt_only_a_little_alike_is_not_found(claims):
    # "storm" is 0.67 alike "store" but 0.33 "style": past autocomplete's 0.3, not 0.5.
    assert claims_found("storm") == [claims["copies"].pk]


def test_a_minus_leaves_claims_out_even_when_spelt_alike(claims):
    assert claims["fair"].pk in claims_found("training")
    assert claims["fair"].pk not in claims_found("training -fair")
    assert claims["copies"].pk in claims_found("training -fair")


def test_a_merged_claim_leads_once_to_its_target(claims, topic):
    moderator = make_moderator()
    alias = claim_create(topic=topic, author=UserFactory(), text="Style is not copyrightable")[0]
    claim_merge(target=claims["style"], sources=[alias], moderator=moderator, reason="same")
    assert claims_found("copyrightable style") == [claims["style"].pk]
    assert claims_found("copyrightable") == [claims["style"].pk]


def test_claims_filter_by_topic_and_by_who_wrote_them(claims, topic, member, other_member):
    other_topic = TopicFactory()
    theirs = claim_create(topic=other_topic, author=other_member, text="Style is a copyright")[0]
    assert set(claims_found("style")) == {claims["style"].pk, theirs.pk}
    assert claims_found("style", topic=topic) == [claims["style"].pk]
    assert claims_found("style", author=other_member) == [theirs.pk]


def test_each_claim_found_carries_its_row_in_its_topics_latest_map(thread, member, claims):
    make_reply(
        thread.opening_post,
        author=member,
        body="Yes",
        tags=[TagInput(claims["fair"].pk, "supports")],
    )
    map_build(topic_id=thread.topic_id)
    make_reply(
        thread.opening_post,
        author=UserFactory(),
        body="No",
        tags=[TagInput(claims["fair"].pk, "opposes")],
    )
    map_build(topic_id=thread.topic_id)
    by_claim = {hit.claim.pk: hit for hit in claim_hits(claim_search(words="training"))}
    fair, copies = by_claim[claims["fair"].pk], by_claim[claims["copies"].pk]
    assert fair.node.map_version == 2
    assert (fair.node.supporters, fair.node.opposers) == (1, 1)
    assert fair.node.standing in {"IN", "OUT", "UNDECIDED"}
    assert copies.node is None  # no post tags it: not on the map


def test_a_misspelled_word_is_corrected_to_the_nearest_word_claims_use(claims):
    assert corrected_spelling("trainng imges") == "images training"
    assert corrected_spelling("fair use") is None  # every word is one claims use
    assert corrected_spelling("fair qqqqq") == "fair"  # nothing near: left out
    assert corrected_spelling("qqqqq") is None
