"""Every hostile input of data/hostile_inputs.json through every text field a user controls,
over the HTML forms and the API, then every page that shows what was saved.

For each (vector, field, channel) the submission either succeeds and stores exactly the
normalized input, or fails with a clear 4xx / form error and saves nothing; never a 5xx.
Inputs that break a documented limit (over the length, a NUL byte, nothing but blanks) must
fail, ordinary ones must succeed. Every page then rendered holds nothing that runs.
"""

import json
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import resolve, reverse

from apps.accounts.models import User
from apps.claims.models import Claim, claim_key
from apps.claims.services.claims import claim_create
from apps.claims.services.tags import TagInput
from apps.core.text import (
    MAX_BIO_LENGTH,
    MAX_BODY_LENGTH,
    MAX_CLAIM_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
)
from apps.forum.models import Post, Thread, Topic
from apps.forum.services.posting import reply_create, thread_create
from apps.maps import exports
from apps.maps.models import ArgumentMap, MapClaim
from apps.maps.services import map_build
from apps.moderation.models import ClaimMerge, Report
from apps.moderation.reports import report_create
from apps.moderation.selectors import REPORTED_PER_PAGE, merge_preview
from tests.factories import TopicFactory, UserFactory
from tests.html_checks import active_content
from tests.security.conftest import TALLY
from tests.security.pages import api_client, browser, html_of, page_problems, row_counts

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).with_name("data") / "hostile_inputs.json"
MAX_USERNAME_LENGTH = 150
USERNAME = re.compile(r"[\w.@+-]+")  # Django's UnicodeUsernameValidator
PASSWORD = "Hostile-Input-Pa55word!"
# gunicorn refuses a request line over 4,094 bytes: longer searches never reach the app.
MAX_QUERY_LENGTH = 4000
BATCH_SIZE = 25
FOCUS_PAGES = 40  # focus pages and neighbourhoods of a batch's mapped claims checked

FIELDS = (
    ("thread title", "form"),
    ("reply body", "form"),
    ("reply body", "api"),
    ("edited body", "form"),
    ("edited body", "api"),
    ("claim tag", "form"),
    ("claim tag", "api"),
    ("new claim", "api"),
    ("claim search", "form"),
    ("site search", "form"),
    ("site search", "api"),
    ("username", "form"),
    ("removal reason", "form"),
    ("lock reason", "form"),
    ("merge reason", "form"),
    ("merge reason", "api"),
    ("report reason", "form"),
    ("report reason", "api"),
    ("resolution note", "api"),
    ("topic title", "api"),
    ("topic description", "form"),
    ("bio", "form"),
    ("bio", "api"),
)
ACCEPT, REJECT, EITHER = "accept", "reject", "either"


@dataclass(frozen=True)
class Vector:
    name: str
    text: str

    def __str__(self) -> str:
        return f"{self.name} {self.text[:50]!r}{'…' if len(self.text) > 50 else ''}"


def load_vectors() -> list[Vector]:
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    vectors = [
        Vector(f"{group}[{index}]", text)
        for group, texts in corpus["text"].items()
        for index, text in enumerate(texts)
    ]
    for entry in corpus["generated"]:
        if "numbered" in entry:
            middle = "".join(entry["numbered"].format(i) for i in range(entry["times"]))
        else:
            middle = entry["repeat"] * entry["times"]
        text = entry.get("prefix", "") + middle + entry.get("suffix", "")
        vectors.append(Vector(f"generated {entry['name']!r}", text))
    return vectors


VECTORS = load_vectors()
BATCHES = [VECTORS[start : start + BATCH_SIZE] for start in range(0, len(VECTORS), BATCH_SIZE)]


# --- what each field must do with an input ----------------------------------------------


def collapsed(text: str) -> str:
    return " ".join(text.split())


def username_of(text: str) -> str:
    return unicodedata.normalize("NFKC", text.strip())


NORMALIZE = {
    "body": str.strip,
    "title": collapsed,
    "claim": collapsed,
    "reason": str.strip,
    "username": username_of,
    "description": str.strip,
    "bio": str.strip,
}
LIMITS = {
    "body": MAX_BODY_LENGTH,
    "title": MAX_TITLE_LENGTH,
    "claim": MAX_CLAIM_LENGTH,
    "reason": MAX_REASON_LENGTH,
    "username": MAX_USERNAME_LENGTH,
    "description": MAX_DESCRIPTION_LENGTH,
    "bio": MAX_BIO_LENGTH,
}
OPTIONAL = {"description", "bio"}  # blank is a valid value: none


def has_controls(text: str) -> bool:
    """Control characters other than blanks (tab, newline…), which a field may refuse."""
    return any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in text)


def expected(kind: str, text: str) -> str:
    """ACCEPT what any client may send, REJECT what breaks a documented limit; in between
    (within the limit only once blanks are trimmed, control characters) either is fine."""
    value = NORMALIZE[kind](text)
    if "\x00" in text or len(collapsed(text)) > LIMITS[kind]:
        return REJECT
    if not value.strip():
        if kind in OPTIONAL:
            return ACCEPT
        return EITHER if kind == "claim" else REJECT  # a blank tag row is left unused
    if has_controls(text) and kind != "username":
        return EITHER
    if kind == "claim" and not claim_key(value):
        return REJECT
    if kind == "username":
        if not USERNAME.fullmatch(value) or len(value) > LIMITS[kind]:
            return REJECT
        if not any(char.isalnum() for char in value):  # "." or ".." would be no address
            return REJECT
        if User.objects.filter(username__iexact=value).exists():
            return REJECT
    return ACCEPT if len(text) <= LIMITS[kind] else EITHER


# --- one batch of vectors in its own topic -------------------------------------------------


@dataclass
class Run:
    author: User
    other: User
    moderator: User
    topic: Topic
    history: Post | None = None  # every form edit of the batch lands on it: one history page
    failures: list[str] = field(default_factory=list)
    exercised: int = 0
    pages: int = 0

    def __post_init__(self):
        self.anonymous = browser()
        self.member = browser(self.author)
        self.mod = browser(self.moderator)
        self.api = api_client(self.author)
        self.api_mod = api_client(self.moderator)
        self.reporter = browser(self.other)
        self.api_reporter = api_client(self.other)

    # -- checks --

    def fail(self, where: str, message: str) -> None:
        self.failures.append(f"{where}: {message}")

    def page(self, where: str, response, *, forms: int = 0, logged_in: bool = False) -> None:
        """A page showing stored input: 200, and nothing in it runs."""
        self.pages += 1
        if response.status_code != 200:
            self.fail(where, f"page answered {response.status_code}{_error(response)}")
            return
        for problem in page_problems(html_of(response), forms_in_main=forms, logged_in=logged_in):
            self.fail(where, problem)

    def submit(self, where: str, kind: str, text: str, send, *, api: bool, saved, forms: int = 1):
        """Send one submission and judge it: success and `saved(response)` finds the input
        stored as it should be, or a clear error and not a row added anywhere; which of
        the two the input demands (a form re-shown on a page of `forms` forms). Returns the
        response and whether it succeeded."""
        self.exercised += 1
        verdict = expected(kind, text)
        before = row_counts() if verdict != ACCEPT else None  # only a refusal needs it
        response = send()
        status = response.status_code
        if status >= 500:
            self.fail(where, f"server error {status}{_error(response)}")
            return response, False
        if (status in (200, 201)) if api else status == 302:
            if verdict == REJECT:
                self.fail(where, f"accepted ({status}) what must be refused")
            problem = saved(response)
            if problem:
                self.fail(where, f"accepted but {problem}")
            return response, True
        if verdict == ACCEPT:
            self.fail(where, f"refused ({status}) an acceptable input{_error(response)}")
        form_error = not api and status == 200
        if not (400 <= status < 500 or form_error):
            self.fail(where, f"neither success nor a client error: {status}")
        elif api and not response["Content-Type"].startswith("application/json"):
            self.fail(where, f"error answered as {response['Content-Type']}")
        elif api and status == 400 and not json.loads(response.content):
            self.fail(where, "400 without a message")
        elif form_error:
            html = html_of(response)
            if 'class="errors"' not in html:
                self.fail(where, "form re-shown without an error message")
            for problem in page_problems(html, forms_in_main=forms, logged_in=True):
                self.fail(where, f"error page: {problem}")
        if before is not None and row_counts() != before:
            after = row_counts()
            changed = {table: after[table] - count for table, count in before.items()}
            changed = {table: delta for table, delta in changed.items() if delta}
            self.fail(where, f"refused but rows changed: {changed}")
        return response, False


def _error(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        return f" ({exc_info[0].__name__}: {str(exc_info[1])[:200]})"
    if response.get("Content-Type", "").startswith("application/json"):
        return f" {response.content[:200]!r}"
    return ""


def _stored(actual, wanted) -> str | None:
    if actual != wanted:
        return f"stored {str(actual)[:60]!r} instead of {str(wanted)[:60]!r}"
    return None


def run_vector(run: Run, index: int, vector: Vector) -> None:
    text, topic, author = vector.text, run.topic, run.author

    def where(name, channel):
        return f"{name}/{channel} {vector}"

    # Thread title, over the form; a refused title leaves a plain thread for the rest.
    opening_body = f"Op {index}"

    def new_thread():
        return Thread.objects.filter(topic=topic, opening_post__body=opening_body).first()

    run.submit(
        where("thread title", "form"),
        "title",
        text,
        lambda: run.member.post(
            reverse("forum:thread_create", args=[topic.slug]), {"title": text, "body": opening_body}
        ),
        api=False,
        saved=lambda _: _stored(new_thread().title, collapsed(text)),
    )
    thread = new_thread() or thread_create(
        topic=topic, author=author, title=f"Plain thread {index}", body=opening_body
    )
    opening = thread.opening_post
    tagged = reply_create(parent=opening, author=author, body=f"To edit and tag {index}")
    sources = [TagInput(f"source {channel} {index}", "supports") for channel in ("html", "api")]
    removed = reply_create(parent=tagged, author=author, body=f"To remove {index}", tags=sources)

    # Reply bodies.
    run.submit(
        where("reply body", "form"),
        "body",
        text,
        lambda: run.member.post(
            reverse("forum:reply", args=[opening.pk]), {"body": text, "response": "agree"}
        ),
        api=False,
        saved=lambda response: _stored(
            Post.objects.get(pk=resolve(urlsplit(response["Location"]).path).kwargs["pk"]).body,
            text.strip(),
        ),
    )
    run.submit(
        where("reply body", "api"),
        "body",
        text,
        lambda: run.api.post(
            f"/api/threads/{thread.pk}/posts/",
            {"parent": opening.pk, "body": text, "response": "disagree"},
            format="json",
        ),
        api=True,
        saved=lambda response: (
            _stored(response.data["body"], text.strip())
            or _inert_fragment(response.data["body_html"])
        ),
    )

    # Edited bodies.
    history = Post.objects.get(pk=run.history.pk)
    _, ok = run.submit(
        where("edited body", "form"),
        "body",
        text,
        lambda: run.member.post(reverse("forum:post_edit", args=[history.pk]), {"body": text}),
        api=False,
        saved=lambda _: _stored(Post.objects.get(pk=history.pk).body, text.strip()),
    )
    if not ok:
        _unchanged(run, where("edited body", "form"), history)
    _, ok = run.submit(
        where("edited body", "api"),
        "body",
        text,
        lambda: run.api.patch(f"/api/posts/{tagged.pk}/", {"body": text}, format="json"),
        api=True,
        saved=lambda response: (
            _stored(Post.objects.get(pk=tagged.pk).body, text.strip())
            or _inert_fragment(response.data["body_html"])
        ),
    )
    if not ok:
        _unchanged(run, where("edited body", "api"), tagged)

    # Claim tags and new claims.
    run.submit(
        where("claim tag", "form"),
        "claim",
        text,
        lambda: run.member.post(
            reverse("claims:post_tags", args=[tagged.pk]), {"claim_1": text, "stance_1": "supports"}
        ),
        api=False,
        saved=lambda _: _tagged_with(tagged, text),
    )
    run.submit(
        where("claim tag", "api"),
        "claim",
        text,
        lambda: run.api.patch(
            f"/api/posts/{tagged.pk}/",
            {"tags": [{"claim": text, "stance": "opposes"}]},
            format="json",
        ),
        api=True,
        saved=lambda _: _tagged_with(tagged, text),
    )
    response, ok = run.submit(
        where("new claim", "api"),
        "claim",
        text,
        lambda: run.api.post(f"/api/topics/{topic.slug}/claims/", {"text": text}, format="json"),
        api=True,
        saved=lambda response: _stored(
            claim_key(response.data["text"]), claim_key(collapsed(text))
        ),
    )
    target = (
        Claim.objects.get(pk=response.data["id"])
        if ok
        else claim_create(topic=topic, author=author, text=f"target {index}")[0]
    )

    # Claim search, as the tag rows' autocomplete asks it.
    if len(text) <= MAX_QUERY_LENGTH:
        run.exercised += 1
        response = run.member.get(reverse("claims:suggest", args=[topic.slug]), {"claim_1": text})
        run.page(where("claim search", "form"), response)
        search_vector(run, text, where)

    run_reports(run, index, vector, opening)
    # Moderation reasons: remove a post, merge twice (form and API), lock the thread.
    run.submit(
        where("removal reason", "form"),
        "reason",
        text,
        lambda: run.mod.post(reverse("moderation:remove", args=[removed.pk]), {"reason": text}),
        api=False,
        saved=lambda _: _stored(Post.objects.get(pk=removed.pk).removal_reason, text.strip()),
    )
    source = Claim.objects.get(topic=topic, key=claim_key(f"source html {index}"))
    merge_url = reverse("moderation:merge", args=[topic.slug])
    merge_url += "?" + urlencode({"target": target.pk, "sources": source.pk})
    fingerprint = merge_preview(target=target, sources=[source]).fingerprint
    run.submit(
        where("merge reason", "form"),
        "reason",
        text,
        lambda: run.mod.post(merge_url, {"reason": text, "fingerprint": fingerprint}),
        api=False,
        saved=lambda _: _stored(
            ClaimMerge.objects.filter(sources=source).get().reason, text.strip()
        ),
    )
    source = Claim.objects.get(topic=topic, key=claim_key(f"source api {index}"))
    run.submit(
        where("merge reason", "api"),
        "reason",
        text,
        lambda: run.api_mod.post(
            f"/api/topics/{topic.slug}/merges/",
            {"target": target.pk, "sources": [source.pk], "reason": text},
            format="json",
        ),
        api=True,
        saved=lambda response: _stored(
            ClaimMerge.objects.get(pk=response.data["id"]).reason, text.strip()
        ),
    )
    run.submit(
        where("lock reason", "form"),
        "reason",
        text,
        lambda: run.mod.post(reverse("moderation:lock", args=[thread.pk]), {"reason": text}),
        api=False,
        saved=lambda _: None if Thread.objects.get(pk=thread.pk).locked else "thread not locked",
    )

    # A topic's title (a moderator's new topic) and description (its edit form).
    run.submit(
        where("topic title", "api"),
        "title",
        text,
        lambda: run.api_mod.post(
            "/api/topics/", {"title": text, "slug": f"hostile-title-{index}"}, format="json"
        ),
        api=True,
        saved=lambda response: _stored(Topic.objects.get(slug=response.data["slug"]).title,
                                       collapsed(text)),
    )  # fmt: skip
    run.submit(
        where("topic description", "form"),
        "description",
        text,
        lambda: run.mod.post(
            reverse("forum:topic_edit", args=[topic.slug]),
            {"title": topic.title, "description": text},
        ),
        api=False,
        saved=lambda _: _stored(Topic.objects.get(pk=topic.pk).description, text.strip()),
    )

    # The author's bio, on the settings page (its form posts to accounts:bio) and over the API.
    run.submit(
        where("bio", "form"),
        "bio",
        text,
        lambda: run.member.post(reverse("accounts:bio"), {"bio": text}),
        api=False,
        saved=lambda _: _stored(User.objects.get(pk=author.pk).bio, text.strip()),
        forms=2,  # the settings page's bio and notification forms
    )
    run.submit(
        where("bio", "api"),
        "bio",
        text,
        lambda: run.api.patch("/api/members/me/", {"bio": text}, format="json"),
        api=True,
        saved=lambda response: (
            _stored(User.objects.get(pk=author.pk).bio, text.strip())
            or _inert_fragment(response.data["bio_html"])
        ),
    )

    # Username, signing up in a fresh browser.
    newcomer = browser()
    before = row_counts()
    expectation = expected("username", text)  # before the account exists
    response = newcomer.post(
        reverse("signup"),
        {"username": text, "email": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    signed_up = "\x00" not in text and User.objects.filter(username=username_of(text)).first()
    run.exercised += 1
    _judge_signup(run, where("username", "form"), expectation, response, signed_up, before)

    # The pages that show all of it.
    run.page(where("thread page", "html"), run.anonymous.get(thread.get_absolute_url()))
    run.page(where("post page", "html"), run.anonymous.get(tagged.get_absolute_url()))
    run.page(where("claim page", "html"), run.anonymous.get(target.get_absolute_url()))
    if signed_up:
        run.page(
            where("new member's profile", "html"),
            newcomer.get(signed_up.get_absolute_url()),
            logged_in=True,
        )


def run_reports(run: Run, index: int, vector: Vector, opening: Post) -> None:
    """A report's reason (form and API), then a moderator's note removing the post."""
    text = vector.text
    on_form, on_api = (
        reply_create(parent=opening, author=run.author, body=f"To report {channel} {index}")
        for channel in ("form", "api")
    )
    run.submit(
        f"report reason/form {vector}",
        "reason",
        text,
        lambda: run.reporter.post(
            reverse("moderation:report_post", args=[on_form.pk]), {"reason": text}
        ),
        api=False,
        saved=lambda _: _stored(Report.objects.get(post=on_form).reason, text.strip()),
    )
    response, ok = run.submit(
        f"report reason/api {vector}",
        "reason",
        text,
        lambda: run.api_reporter.post(
            f"/api/posts/{on_api.pk}/reports/", {"reason": text}, format="json"
        ),
        api=True,
        saved=lambda _: _stored(Report.objects.get(post=on_api).reason, text.strip()),
    )
    report = Report.objects.filter(post=on_api).first() or report_create(
        reporter=run.other, post=on_api, reason=f"Plain reason {index}"
    )
    run.submit(
        f"resolution note/api {vector}",
        "reason",
        text,
        lambda: run.api_mod.post(
            f"/api/reports/{report.pk}/resolve/", {"action": "remove", "note": text}, format="json"
        ),
        api=True,
        saved=lambda _: _stored(Post.objects.get(pk=on_api.pk).removal_reason, text.strip()),
    )


def search_vector(run: Run, text: str, where) -> None:
    """The site search of the vector in the batch's topic, whose posts hold the vectors: the
    page shows results or says what to change, the API answers 200 or a 400 that says why."""
    run.exercised += 2
    params = {"q": text, "topic": run.topic.slug}
    run.page(
        where("site search", "form"), run.anonymous.get(reverse("search:search"), params), forms=1
    )
    response = run.api.get("/api/search/", params)
    if response.status_code not in (200, 400):
        run.fail(where("site search", "api"), f"answered {response.status_code}{_error(response)}")
    elif response.status_code == 400 and not response.json().get("q"):
        run.fail(where("site search", "api"), f"400 without a message about q: {response.json()}")
    elif response.status_code == 200:
        for hit in response.json()["results"]:
            unmarked = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
            if "<" in unmarked or ">" in unmarked:
                run.fail(where("site search", "api"), f"snippet holds markup: {unmarked[:80]!r}")


def _judge_signup(run: Run, where: str, expectation: str, response, user, before) -> None:
    status = response.status_code
    if status >= 500:
        run.fail(where, f"server error {status}{_error(response)}")
    elif status == 302:
        if expectation == REJECT:
            run.fail(where, "signed up a username that must be refused")
        if user is None:
            run.fail(where, "signed up, but no member has the normalized username")
    else:
        if expectation == ACCEPT:
            run.fail(where, f"refused ({status}) an acceptable username")
        if status == 200:
            html = html_of(response)
            if 'class="errors"' not in html:
                run.fail(where, "form re-shown without an error message")
            for problem in page_problems(html, forms_in_main=1):
                run.fail(where, f"error page: {problem}")
        elif not 400 <= status < 500:
            run.fail(where, f"neither success nor a client error: {status}")
        if row_counts() != before:
            run.fail(where, "refused but rows changed")


def _tagged_with(post: Post, text: str) -> str | None:
    claims = [tag.claim for tag in post.tags.select_related("claim")]
    if not collapsed(text):
        return None if not claims else f"tagged {claims} for a blank claim"
    if [claim_key(claim.text) for claim in claims] != [claim_key(collapsed(text))]:
        return f"tagged with {[claim.text[:40] for claim in claims]}"
    return None


def _inert_fragment(html: str) -> str | None:
    found = active_content(html)
    return f"body_html holds {found}" if found else None


def _unchanged(run: Run, where: str, post: Post) -> None:
    fresh = Post.objects.get(pk=post.pk)
    if (fresh.body, fresh.body_html, fresh.edited) != (post.body, post.body_html, post.edited):
        run.fail(where, "refused edit changed the post")


def check_topic_pages(run: Run) -> None:
    """The pages that gather a batch: topic, profile, map and exports, logs, notifications."""
    topic = run.topic
    run.page("home page, every topic", run.anonymous.get(reverse("forum:home")))
    run.page("topic page", run.anonymous.get(topic.get_absolute_url()))
    history = reverse("forum:post_revisions", args=[run.history.pk])
    run.page("history of the post every form edit changed", run.anonymous.get(history))
    profile = run.author.get_absolute_url()
    pages = (Post.objects.filter(author=run.author, state="visible").count() + 19) // 20
    for number in range(1, pages + 1):
        run.page(f"author's profile page {number}", run.anonymous.get(profile, {"page": number}))
    outcome = map_build(topic_id=topic.pk)
    if not outcome.built:
        run.fail("map", "the map was not built")
    overview = reverse("maps:map", args=[topic.slug])
    run.page("map page", run.anonymous.get(overview), forms=1)  # its filter box
    run.page("map page, all claims", run.anonymous.get(overview, {"show": "all"}), forms=1)
    latest = ArgumentMap.objects.filter(topic=topic).order_by("-version").first()
    mapped = MapClaim.objects.filter(argument_map=latest).order_by("claim_id")
    for claim_id in mapped.values_list("claim_id", flat=True)[:FOCUS_PAGES]:
        focus = reverse("maps:focus", args=[topic.slug, claim_id])
        run.page(f"focus page of claim {claim_id}", run.anonymous.get(focus))
        neighbourhood = reverse("maps:neighbourhood", args=[topic.slug, claim_id])
        json.loads(run.anonymous.get(neighbourhood).content)
    for format in exports.FORMATS:
        response = run.anonymous.get(reverse("maps:export", args=[topic.slug, format]))
        if response.status_code != 200:
            run.fail(f"map export {format}", f"answered {response.status_code}{_error(response)}")
        elif format in ("json", "aif"):
            json.loads(response.content)
        elif format == "graphml":
            ElementTree.fromstring(response.content)
    log = reverse("moderation:log", args=[topic.slug])
    for number in range(1, (topic.moderation_actions.count() + 49) // 50 + 1):
        run.page(f"moderation log page {number}", run.anonymous.get(log, {"page": number}))
        run.page(
            f"moderation log page {number}, as moderator",
            run.mod.get(log, {"page": number}),
            logged_in=True,
        )
    notes = list(
        run.author.notifications.order_by("-created", "-pk").values_list("read", flat=True)
    )
    for number in range(1, (len(notes) + 19) // 20 + 1):
        unread = notes[(number - 1) * 20 : number * 20].count(False)  # a "Mark read" form each
        run.page(
            f"notifications page {number}",
            run.member.get(reverse("notifications:list"), {"page": number}),
            forms=unread + (False in notes),  # and "Mark all read"
            logged_in=True,
        )
    reported = Report.objects.filter(topic=topic, state=Report.State.OPEN).count()
    queue = reverse("moderation:reports", args=[topic.slug])
    for number in range(1, (reported + REPORTED_PER_PAGE - 1) // REPORTED_PER_PAGE + 1):
        shown = min(REPORTED_PER_PAGE, reported - (number - 1) * REPORTED_PER_PAGE)
        run.page(
            f"report queue page {number}",
            run.mod.get(queue, {"page": number}),
            forms=shown,
            logged_in=True,
        )
    duplicates = run.mod.get(reverse("moderation:duplicates", args=[topic.slug]))
    run.page("duplicates page", duplicates, forms=len(duplicates.context["pairs"]), logged_in=True)


def test_the_corpus_is_big_and_varied():
    assert len(VECTORS) >= 150
    assert len({vector.text for vector in VECTORS}) == len(VECTORS)
    assert any(len(vector.text) >= 1_000_000 for vector in VECTORS)
    assert any("\x00" in vector.text for vector in VECTORS)
    assert any("\u202e" in vector.text for vector in VECTORS)


@pytest.mark.parametrize(
    ("query", "found"), [("\x00", False), ("fair\x00use", True), ("<script>\x00", False)]
)
def test_a_nul_in_a_claim_search_counts_as_a_blank(topic, member, query, found):
    """PostgreSQL refuses a NUL in a query: the search reads it as a blank instead of
    failing with a 500."""
    claim_create(topic=topic, author=member, text="Fair use covers training")
    page = browser(member).get(reverse("claims:suggest", args=[topic.slug]), {"q": query})
    assert page.status_code == 200
    assert ("Fair use covers training" in html_of(page)) == found
    api = api_client().get(f"/api/topics/{topic.slug}/claims/", {"q": query})
    assert api.status_code == 200
    assert [claim["text"] for claim in api.data["results"]] == (
        ["Fair use covers training"] if found else []
    )


@pytest.mark.parametrize("batch", range(len(BATCHES)), ids=lambda number: f"batch{number}")
def test_hostile_inputs_are_refused_or_stored_inert(batch):
    moderator = UserFactory(username="hostile_mod")
    moderator.groups.add(Group.objects.get(name="moderators"))
    run = Run(
        author=UserFactory(username=f"hostile_author_{batch}"),
        other=UserFactory(username="hostile_other"),
        moderator=moderator,
        topic=TopicFactory(slug=f"hostile-{batch}", title=f"Hostile batch {batch}"),
    )
    run.history = thread_create(
        topic=run.topic, author=run.author, title="Edited by every vector", body="First version"
    ).opening_post
    vectors = BATCHES[batch]
    for offset, vector in enumerate(vectors):
        run_vector(run, batch * BATCH_SIZE + offset, vector)
    check_topic_pages(run)

    searchable = sum(len(vector.text) <= MAX_QUERY_LENGTH for vector in vectors)
    assert run.exercised == len(vectors) * (len(FIELDS) - 3) + 3 * searchable
    print(
        f"\nbatch {batch}: {len(vectors)} vectors, {run.exercised} vector × field submissions,"
        f" {run.pages} pages checked"
    )
    TALLY["hostile inputs: vector × field submissions"] += run.exercised
    TALLY["hostile inputs: pages checked"] += run.pages
    assert not run.failures, f"{len(run.failures)} failures:\n" + "\n".join(run.failures[:60])


def test_hostile_inputs_through_the_notification_fields():
    """The settings' email address, the password reset's address and the ids of "mark read":
    each input is stored as given (a valid address) or refused with a clear error, changing
    nothing; never a server error."""
    member = UserFactory(username="hostile_reader", email="reader@example.org")
    run = Run(author=member, other=member, moderator=member, topic=TopicFactory())
    visitor = browser()
    for vector in VECTORS:
        text = vector.text
        before = (row_counts(), User.objects.get(pk=member.pk).email)
        answer = run.member.post(reverse("notifications:settings"), {
            "email_address": text, "email": "immediately", "watch_by_default": "on",
        })  # fmt: skip
        stored = User.objects.get(pk=member.pk).email
        if answer.status_code == 302:
            if stored != text.strip() or len(stored) > 254 or "\x00" in stored:
                run.fail(f"settings address {vector}", f"stored {stored[:60]!r}")
            User.objects.filter(pk=member.pk).update(email="reader@example.org")
        elif answer.status_code not in (200, 400) or (  # 400: a body over Django's limit
            answer.status_code == 200 and 'class="errors"' not in html_of(answer)
        ):
            run.fail(f"settings address {vector}", f"answered {answer.status_code}")
        elif (row_counts(), stored) != before:
            run.fail(f"settings address {vector}", "refused but changed something")
        reset = visitor.post(reverse("password_reset"), {"email": text})
        if reset.status_code not in (200, 302, 400):
            run.fail(f"password reset {vector}", f"answered {reset.status_code}")
        marked = run.member.post(reverse("notifications:read"), {"id": text})
        if marked.status_code not in (302, 400):
            run.fail(f"mark read {vector}", f"answered {marked.status_code}")
        run.exercised += 3
    TALLY["hostile inputs: vector × field submissions"] += run.exercised
    assert not run.failures, "\n".join(run.failures[:60])
