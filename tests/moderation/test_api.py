"""The moderation API: the duplicate queue, merges, undo and the public log."""

from types import SimpleNamespace

import pytest
import yaml
from rest_framework.test import APIClient

from apps.claims.models import Claim, ClaimTag, Endorsement
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.merge import claim_merge
from apps.claims.services.tags import TagInput, post_tags_set
from apps.forum.models import Post, Thread
from apps.forum.services.post_state import post_remove
from apps.forum.services.threads import thread_set_locked
from apps.moderation import reports
from apps.moderation.models import ClaimMerge, DuplicateDismissal, ModerationAction, Report
from apps.moderation.selectors import state_fingerprint
from apps.moderation.services import duplicate_dismiss
from apps.notifications.models import Notification
from tests.conftest import api_of
from tests.factories import TopicFactory, make_moderator, make_reply, make_thread, tagged

pytestmark = pytest.mark.django_db

COPIES = "Models store copies of their training images"
COPIES_AGAIN = "The models store copies of the training images"
FAIR_USE = "Training is fair use"


def claim(text: str) -> Claim:
    return Claim.objects.get(text=text)


def database_state() -> dict:
    return {
        "claims": list(Claim.objects.order_by("pk").values_list("pk", "status", "merged_into")),
        "tags": list(ClaimTag.objects.order_by("pk").values_list("pk", "post", "claim", "stance")),
        "posts": list(Post.objects.order_by("pk").values_list("pk", "state", "body")),
        "threads": list(Thread.objects.order_by("pk").values_list("pk", "locked")),
        "merges": list(ClaimMerge.objects.order_by("pk").values_list("pk", "undone_at")),
        "dismissals": list(DuplicateDismissal.objects.values_list("first", "second")),
        "actions": ModerationAction.objects.count(),
        "notifications": Notification.objects.count(),
    }


def errors(response) -> str:
    return str(response.json())


@pytest.fixture
def pair(thread, member, other_member):
    """COPIES (target) and COPIES_AGAIN (source), a post on each, and an unrelated claim."""
    opening = thread.opening_post
    on_target = tagged(opening, member, (COPIES, "supports"))
    on_source = tagged(on_target, other_member, (COPIES_AGAIN, "supports"), response="agree")
    tagged(opening, member, (FAIR_USE, "supports"))
    return SimpleNamespace(
        topic=thread.topic,
        thread=thread,
        target=claim(COPIES),
        source=claim(COPIES_AGAIN),
        on_target=on_target,
        on_source=on_source,
    )


def merges_url(topic) -> str:
    return f"/api/topics/{topic.slug}/merges/"


def merge_body(pair, **overrides) -> dict:
    return {
        "target": pair.target.pk,
        "sources": [pair.source.pk],
        "reason": "Same claim, reworded",
        **overrides,
    }


# The duplicate queue --------------------------------------------------------------------


def test_moderators_get_the_likely_duplicates_with_their_similarity(pair, mod_api):
    response = mod_api.get(f"/api/topics/{pair.topic.slug}/duplicates/")
    assert response.status_code == 200
    [found] = response.json()
    assert (found["first"], found["second"]) == (pair.target.pk, pair.source.pk)
    assert (found["first_text"], found["second_text"]) == (COPIES, COPIES_AGAIN)
    assert 0.3 <= found["similarity"] <= 1


def test_a_dismissed_pair_is_not_in_the_api_queue(pair, moderator, mod_api):
    duplicate_dismiss(first=pair.target, second=pair.source, moderator=moderator)
    assert mod_api.get(f"/api/topics/{pair.topic.slug}/duplicates/").json() == []


@pytest.mark.parametrize("who, status", [("member", 403), ("anonymous", 401)])
def test_only_moderators_see_the_duplicates(pair, member, who, status):
    client = api_of(member if who == "member" else None)
    response = client.get(f"/api/topics/{pair.topic.slug}/duplicates/")
    assert response.status_code == status
    assert "first" not in errors(response)


def test_the_duplicates_of_an_unknown_topic_are_404(mod_api):
    assert mod_api.get("/api/topics/nope/duplicates/").status_code == 404


# Merging --------------------------------------------------------------------------------


def test_a_moderator_merges_claims(pair, mod_api, other_member):
    response = mod_api.post(merges_url(pair.topic), merge_body(pair), format="json")
    assert response.status_code == 201
    body = response.json()
    merge = ClaimMerge.objects.get()
    assert body["id"] == merge.pk and body["target"] == pair.target.pk
    assert body["sources"] == [pair.source.pk] and body["undone_at"] is None
    assert body["reason"] == "Same claim, reworded"
    pair.source.refresh_from_db()
    assert (pair.source.status, pair.source.merged_into_id) == ("merged", pair.target.pk)
    assert set(pair.target.tags.values_list("post", "stance")) == {
        (pair.on_target.pk, "supports"),
        (pair.on_source.pk, "supports"),
    }
    assert not pair.source.tags.exists()
    assert Notification.objects.filter(user=other_member, kind="merged").count() == 1
    assert ModerationAction.objects.get().kind == "merge"


def test_a_merge_with_the_previews_fingerprint_goes_through(pair, mod_api):
    fingerprint = state_fingerprint([pair.target.pk, pair.source.pk])
    response = mod_api.post(
        merges_url(pair.topic), merge_body(pair, fingerprint=fingerprint), format="json"
    )
    assert response.status_code == 201
    assert ClaimMerge.objects.count() == 1


@pytest.mark.parametrize("who, status", [("member", 403), ("anonymous", 401)])
def test_only_moderators_merge(pair, member, who, status):
    before = database_state()
    client = api_of(member if who == "member" else None)
    response = client.post(merges_url(pair.topic), merge_body(pair), format="json")
    assert response.status_code == status
    assert database_state() == before


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"reason": ""}, "may not be blank"),
        ({"reason": "   "}, "may not be blank"),
        ({"reason": "x" * 1001}, "no more than 1000"),
        ({"sources": []}, "sources"),
        ({"target": "abc"}, "valid integer"),
        ({"resolutions": {"abc": "supports"}}, "Keys are post ids."),
        ({"resolutions": {"1": "maybe"}}, "not a valid choice"),
        ({"member_resolutions": {"abc": "supports"}}, "Keys are member (user) ids."),
        ({"member_resolutions": {"1": "maybe"}}, "not a valid choice"),
        ({"fingerprint": "0" * 32}, "changed since the preview"),
    ],
    ids=[
        "empty reason",
        "blank reason",
        "long reason",
        "no sources",
        "target not a number",
        "resolutions key not a number",
        "resolution not a stance",
        "member resolutions key not a number",
        "member resolution not a stance",
        "stale fingerprint",
    ],
)
def test_bad_merge_requests_are_400_and_change_nothing(pair, mod_api, overrides, message):
    before = database_state()
    response = mod_api.post(merges_url(pair.topic), merge_body(pair, **overrides), format="json")
    assert response.status_code == 400
    assert message in errors(response)
    assert database_state() == before


def test_a_target_among_its_sources_is_400(pair, mod_api):
    before = database_state()
    response = mod_api.post(
        merges_url(pair.topic),
        merge_body(pair, sources=[pair.source.pk, pair.target.pk]),
        format="json",
    )
    assert response.status_code == 400
    assert "cannot be merged into itself" in errors(response)
    assert database_state() == before


def test_claims_of_another_topic_are_400(pair, member, mod_api):
    elsewhere, _ = claim_create(topic=TopicFactory(), author=member, text=COPIES)
    before = database_state()
    as_source = mod_api.post(
        merges_url(pair.topic), merge_body(pair, sources=[elsewhere.pk]), format="json"
    )
    assert as_source.status_code == 400 and "same topic" in errors(as_source)
    as_target = mod_api.post(
        merges_url(pair.topic), merge_body(pair, target=elsewhere.pk), format="json"
    )
    assert as_target.status_code == 400 and "another topic" in errors(as_target)
    assert database_state() == before


def test_unknown_claims_are_400(pair, mod_api):
    before = database_state()
    response = mod_api.post(
        merges_url(pair.topic), merge_body(pair, sources=[pair.source.pk, 999999]), format="json"
    )
    assert response.status_code == 400 and "999999" in errors(response)
    response = mod_api.post(merges_url(pair.topic), merge_body(pair, target=999999), format="json")
    assert response.status_code == 400 and "999999" in errors(response)
    assert database_state() == before


def test_merging_into_an_already_merged_target_is_400_naming_it(pair, moderator, mod_api):
    claim_merge(
        target=claim(FAIR_USE), sources=[pair.target], moderator=moderator, reason="Broader"
    )
    before = database_state()
    response = mod_api.post(merges_url(pair.topic), merge_body(pair), format="json")
    assert response.status_code == 400
    assert f"The target «{COPIES}» is already merged into «{FAIR_USE}»" in errors(response)
    assert database_state() == before


def test_an_opposite_stance_conflict_needs_a_resolution(pair, member, mod_api):
    both = tagged(pair.thread.opening_post, member, (COPIES, "supports"), (COPIES_AGAIN, "opposes"))
    before = database_state()
    refused = mod_api.post(merges_url(pair.topic), merge_body(pair), format="json")
    assert refused.status_code == 400
    assert f"Post {both.pk} supports one of these claims and opposes another" in errors(refused)
    assert database_state() == before
    response = mod_api.post(
        merges_url(pair.topic),
        merge_body(pair, resolutions={str(both.pk): "opposes"}),
        format="json",
    )
    assert response.status_code == 201
    assert list(both.tags.values_list("claim", "stance")) == [(pair.target.pk, "opposes")]


def test_a_fingerprint_from_before_a_tag_changed_is_400(pair, other_member, mod_api):
    fingerprint = state_fingerprint([pair.target.pk, pair.source.pk])
    post_tags_set(post=pair.on_source, actor=other_member, tags=[TagInput(COPIES_AGAIN, "opposes")])
    before = database_state()
    response = mod_api.post(
        merges_url(pair.topic), merge_body(pair, fingerprint=fingerprint), format="json"
    )
    assert response.status_code == 400 and "changed since the preview" in errors(response)
    assert database_state() == before


def test_merging_in_an_unknown_topic_is_404(pair, mod_api):
    before = database_state()
    response = mod_api.post("/api/topics/nope/merges/", merge_body(pair), format="json")
    assert response.status_code == 404
    assert database_state() == before


# Undo -----------------------------------------------------------------------------------


@pytest.fixture
def merged(pair, moderator):
    before = database_state()
    merge = claim_merge(
        target=pair.target, sources=[pair.source], moderator=moderator, reason="Reworded"
    )
    return SimpleNamespace(merge=merge, before=before, url=f"/api/merges/{merge.pk}/undo/")


def test_undo_restores_the_claims_and_tags(merged, mod_api):
    response = mod_api.post(merged.url, {"reason": "Not the same"}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == merged.merge.pk and response.json()["undone_at"]
    after = database_state()
    assert (after["claims"], after["tags"]) == (merged.before["claims"], merged.before["tags"])
    undo = ModerationAction.objects.filter(kind="undo_merge").get()
    assert undo.reason == "Not the same"


def test_a_second_undo_is_400_already_undone(merged, mod_api):
    assert mod_api.post(merged.url, {}, format="json").status_code == 200
    before = database_state()
    response = mod_api.post(merged.url, {}, format="json")
    assert response.status_code == 400 and "already undone" in errors(response)
    assert database_state() == before


@pytest.mark.parametrize("who, status", [("member", 403), ("anonymous", 401)])
def test_only_moderators_undo(merged, member, who, status):
    before = database_state()
    client = api_of(member if who == "member" else None)
    assert client.post(merged.url, {}, format="json").status_code == status
    assert database_state() == before


def test_undoing_an_unknown_merge_is_404(mod_api):
    assert mod_api.post("/api/merges/999999/undo/", {}, format="json").status_code == 404


# The public log -------------------------------------------------------------------------


@pytest.fixture
def logged(merged, pair, moderator, mod_api):
    """A merge, its undo, a removal and a lock, each with a reason, all by modmarta."""
    assert mod_api.post(merged.url, {"reason": "Not the same"}, format="json").status_code == 200
    post_remove(post=pair.on_source, moderator=moderator, reason="Personal attack")
    thread_set_locked(thread=pair.thread, moderator=moderator, locked=True, reason="Flame war")
    return f"/api/topics/{pair.topic.slug}/modlog/"


def log_entries(client: APIClient, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_anyone_reads_the_log_without_moderator_names(logged, member, who):
    entries = log_entries(api_of(member if who == "member" else None), logged)
    assert [(entry["kind"], entry["reason"]) for entry in entries] == [
        ("lock_thread", "Flame war"),
        ("remove_post", "Personal attack"),
        ("undo_merge", "Not the same"),
        ("merge", "Reworded"),
    ]
    assert all(entry["moderator"] is None for entry in entries)
    assert "modmarta" not in str(entries)


def test_moderators_see_who_did_what(logged):
    entries = log_entries(api_of(make_moderator("modnils")), logged)
    assert [entry["moderator"] for entry in entries] == ["modmarta"] * 4
    merge = next(entry for entry in entries if entry["kind"] == "merge")
    assert merge["merge"] == ClaimMerge.objects.get().pk
    assert merge["summary"] == f"«{COPIES_AGAIN}» into «{COPIES}» (2 posts)"


def test_the_log_holds_only_its_topics_actions(logged, moderator, member):
    music = make_thread(topic=TopicFactory(slug="music"), author=member)
    thread_set_locked(thread=music, moderator=moderator, locked=True, reason="Spam")
    assert [entry["reason"] for entry in log_entries(APIClient(), "/api/topics/music/modlog/")] == [
        "Spam"
    ]
    assert "Spam" not in [entry["reason"] for entry in log_entries(APIClient(), logged)]
    assert len(log_entries(APIClient(), logged)) == 4


def test_the_log_of_an_unknown_topic_is_404():
    assert APIClient().get("/api/topics/nope/modlog/").status_code == 404


def test_a_member_endorsing_both_ways_needs_a_member_resolution(pair, member, mod_api):
    endorsement_set(claim=pair.target, member=member, stance="supports")
    endorsement_set(claim=pair.source, member=member, stance="opposes")
    before = database_state()
    refused = mod_api.post(merges_url(pair.topic), merge_body(pair), format="json")
    assert refused.status_code == 400
    assert f"Member {member.pk} supports one of these claims and opposes another" in errors(refused)
    assert database_state() == before and Endorsement.objects.count() == 2
    response = mod_api.post(
        merges_url(pair.topic),
        merge_body(pair, member_resolutions={str(member.pk): "opposes"}),
        format="json",
    )
    assert response.status_code == 201
    assert list(Endorsement.objects.values_list("user", "claim", "stance")) == [
        (member.pk, pair.target.pk, "opposes")
    ]


# Reports --------------------------------------------------------------------------------


@pytest.fixture
def spam(thread, other_member):
    return make_reply(thread.opening_post, author=other_member, body="Buy cheap pills")


def test_a_member_reports_a_post_and_a_second_open_report_is_400(spam, member):
    api = api_of(member)
    created = api.post(f"/api/posts/{spam.pk}/reports/", {"reason": "Spam"}, format="json")
    assert created.status_code == 201
    assert created.data | {"id": 0, "created": ""} == {
        "id": 0, "topic": spam.thread.topic.slug, "post": spam.pk, "claim": None,
        "reporter": member.username, "reason": "Spam", "state": "open", "created": "",
        "resolved_at": None, "note": "",
    }  # fmt: skip
    again = api.post(f"/api/posts/{spam.pk}/reports/", {"reason": "Spam"}, format="json")
    assert again.status_code == 400
    assert again.json() == {
        "detail": ["You already reported this, and the moderators have not resolved it yet."]
    }
    assert Report.objects.count() == 1


def test_reporting_a_claim_its_own_post_a_missing_item_or_as_a_visitor(topic, spam, member):
    claim, _ = claim_create(topic=topic, author=member, text=FAIR_USE)
    body = {"reason": "Vague"}
    assert api_of(member).post(f"/api/claims/{claim.pk}/reports/", body).status_code == 201
    own = api_of(spam.author).post(f"/api/posts/{spam.pk}/reports/", body, format="json")
    assert own.status_code == 403 and "edit or delete it" in own.json()["detail"]
    assert api_of(member).post("/api/posts/999999/reports/", body).status_code == 404
    assert api_of().post(f"/api/posts/{spam.pk}/reports/", body).status_code == 401
    assert api_of(member).post(f"/api/posts/{spam.pk}/reports/", {}).status_code == 400
    assert Report.objects.count() == 1


def test_moderators_list_reports_filtered_by_topic_and_state(spam, member, moderator, mod_api):
    other_topic = make_thread(topic=TopicFactory(slug="elsewhere"), title="Elsewhere")
    elsewhere = make_reply(other_topic.opening_post, body="Off")
    first = reports.report_create(reporter=member, post=spam, reason="Spam")
    reports.report_create(reporter=member, post=elsewhere, reason="Off topic")
    reports.report_resolve(report=first, moderator=moderator, action="dismiss")
    everything = mod_api.get("/api/reports/").data["results"]
    assert [entry["reason"] for entry in everything] == ["Spam", "Off topic"]
    in_topic = mod_api.get("/api/reports/", {"topic": "elsewhere"}).data["results"]
    assert [entry["post"] for entry in in_topic] == [elsewhere.pk]
    still_open = mod_api.get("/api/reports/", {"state": "open"}).data["results"]
    assert [entry["reason"] for entry in still_open] == ["Off topic"]
    assert mod_api.get("/api/reports/", {"state": "lost"}).status_code == 400
    assert api_of(member).get("/api/reports/").status_code == 403
    assert api_of().get("/api/reports/").status_code == 401


def test_resolving_over_the_api_removes_the_post_and_tells_the_reporter(spam, member, mod_api):
    report = reports.report_create(reporter=member, post=spam, reason="Spam")
    url = f"/api/reports/{report.pk}/resolve/"
    refused = mod_api.post(url, {"action": "remove"}, format="json")
    assert refused.status_code == 400 and Post.objects.get(pk=spam.pk).state == "visible"
    done = mod_api.post(url, {"action": "remove", "note": "Advertising"}, format="json")
    assert done.status_code == 200
    assert (done.data["state"], done.data["note"]) == ("removed", "Advertising")
    assert Post.objects.get(pk=spam.pk).removal_reason == "Advertising"
    assert Notification.objects.get(user=member, kind="message").text.endswith(
        "reported: Advertising"
    )
    assert mod_api.post(url, {"action": "dismiss"}, format="json").status_code == 400
    assert api_of(member).post(url, {"action": "dismiss"}, format="json").status_code == 403
    assert mod_api.post("/api/reports/999999/resolve/", {"action": "dismiss"}).status_code == 404


def test_the_schema_documents_the_report_operations_with_summaries():
    schema = yaml.safe_load(api_of().get("/api/schema/").content)
    operations = [
        schema["paths"]["/api/posts/{id}/reports/"]["post"],
        schema["paths"]["/api/claims/{id}/reports/"]["post"],
        schema["paths"]["/api/reports/"]["get"],
        schema["paths"]["/api/reports/{id}/resolve/"]["post"],
    ]
    assert all(operation["summary"] for operation in operations)
    filters = {parameter["name"] for parameter in operations[2]["parameters"]}
    assert {"topic", "state", "page"} <= filters
