"""Creating claims: a topic's claim is found by its words, or created with them."""

from django.core.exceptions import ValidationError
from django.db import connection

from apps.accounts.permissions import check_participate
from apps.claims.models import Claim, claim_key
from apps.core.text import CLAIM, clean_text
from apps.forum.models import Topic
from apps.forum.permissions import check_topic_open
from apps.forum.services.topics import writing_in

NEIGHBOURS = 5  # likely duplicates recorded for a new claim


def claim_create(*, topic: Topic, author, text: str) -> tuple[Claim, bool]:
    """The active claim of the topic with these words (or the claim its words' alias was
    merged into), and whether it was created just now."""
    check_participate(author, "add a claim")
    check_topic_open(topic)
    with writing_in(topic):
        return claim_for_text(topic, text, author)


def claim_for_text(topic: Topic, text: str, creator) -> tuple[Claim, bool]:
    """As claim_create, for a caller that checked `creator` and is inside a transaction."""
    text = clean_text(text, CLAIM)
    key = claim_key(text)
    if not key:
        raise ValidationError(CLAIM.blank, code="empty")
    same = Claim.objects.select_related("merged_into").filter(topic=topic, key=key)
    existing = same.active().first() or same.first()
    if existing:
        return existing.canonical, False
    claim, created = Claim.objects.get_or_create(
        topic=topic,
        key=key,
        status=Claim.Status.ACTIVE,
        defaults={"text": text, "created_by": creator},
    )
    if created:
        _record_neighbours(claim)
        claim_words_record([claim.text])
    return claim, created


def claim_words_record(texts: list[str]) -> None:
    """Add the words of these claims' texts to the vocabulary search corrects misspellings
    against (ClaimWord): for each new claim, and for claims written in bulk."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO claims_claimword (word)
            SELECT DISTINCT word FROM unnest(%s::text[]) text,
                unnest(tsvector_to_array(to_tsvector('simple', text))) word
            ON CONFLICT DO NOTHING
            """,
            [texts],
        )


def _record_neighbours(claim: Claim) -> None:
    """The new claim's likely duplicates: the few active claims of its topic whose texts
    are most alike (pg_trgm's similarity threshold, 0.3), read nearest first from the
    claim_text_trgm index."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO claims_claimneighbour (claim_id, neighbour_id, similarity)
            SELECT %(claim)s, other.id, similarity(other.text, %(text)s)
            FROM claims_claim other
            WHERE other.topic_id = %(topic)s AND other.id < %(claim)s
              AND other.status = 'active' AND other.text %% %(text)s
            ORDER BY other.text <-> %(text)s
            LIMIT %(neighbours)s
            """,
            {
                "claim": claim.pk,
                "text": claim.text,
                "topic": claim.topic_id,
                "neighbours": NEIGHBOURS,
            },
        )
