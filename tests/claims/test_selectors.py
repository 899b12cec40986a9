import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.claims.selectors import similar_claims
from apps.claims.services.claims import claim_create
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def texts(topic, query: str) -> list[str]:
    return [claim.text for claim in similar_claims(topic=topic, query=query)]


def test_suggestions_tolerate_typing_slips_and_come_best_first(topic, member):
    for text in ("AI training is fair use", "Training data is stolen", "Artists deserve pay"):
        claim_create(topic=topic, author=member, text=text)
    assert texts(topic, "trainng is fair")[0] == "AI training is fair use"
    assert set(texts(topic, "trai")) == {"AI training is fair use", "Training data is stolen"}
    assert texts(topic, "zebra crossing") == []


def test_equally_close_claims_come_oldest_first(topic, member):
    made = [
        claim_create(topic=topic, author=member, text=f"Fair use covers case {n}")[0]
        for n in range(12)
    ]
    assert [claim.pk for claim in similar_claims(topic=topic, query="fair use")] == [
        claim.pk for claim in made[:10]
    ]


def test_other_topics_claims_are_never_suggested(topic, member):
    claim_create(topic=TopicFactory(), author=member, text="AI training is fair use")
    assert texts(topic, "fair use") == []


def test_the_trigram_index_serves_the_search_nearest_first(topic, member):
    """The query must be one the GiST index can answer in distance order (a tiny table
    would be scanned anyway, so sequential scans are ruled out to see the index plan)."""
    claim_create(topic=topic, author=member, text="AI training is fair use")
    with CaptureQueriesContext(connection) as captured:
        similar_claims(topic=topic, query="fair use")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {captured.captured_queries[-1]['sql']}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Index Scan using claim_text_trgm" in plan
    assert "Order By: ((text)::text <->> 'fair use'::text)" in plan  # word distance
