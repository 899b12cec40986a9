"""Accounts over HTML: sign up, log in and out, change password, and member profiles."""

import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client

from apps.accounts.services import profile_edit
from apps.claims.models import Claim
from apps.claims.services.claims import claim_create
from apps.claims.services.endorsements import endorsement_set
from apps.claims.services.tags import TagInput
from apps.forum.services.post_state import post_delete
from apps.maps.services import map_build
from tests.factories import PASSWORD, UserFactory, make_reply, make_thread

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "purple elephant quietly juggling"


def signup_data(**overrides) -> dict:
    data = {
        "username": "carol",
        "email": "carol@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return data | overrides


def focused_field(page: str) -> str:
    """The id of the one input with autofocus."""
    (field,) = re.findall(r'<input[^>]*\bautofocus\b[^>]*\bid="(\w+)"', page)
    return field


def session_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- sign up -------------------------------------------------------------------------------


def test_signup_page_shows_the_form():
    response = Client().get("/accounts/signup/")

    assert response.status_code == 200
    for name in ("username", "email", "password1", "password2"):
        assert f'name="{name}"' in response.content.decode()


def test_signup_creates_the_member_logs_them_in_and_redirects_home():
    client = Client()

    response = client.post("/accounts/signup/", signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/"
    carol = User.objects.get(username="carol")
    assert carol.email == "carol@example.org"
    assert carol.is_active
    assert carol.check_password(PASSWORD)
    assert session_user_id(client) == str(carol.pk)
    home = client.get("/")
    page = home.content.decode()
    assert home.status_code == 200
    assert home.context["user"] == carol
    assert 'href="/u/carol/">carol</a>' in page
    assert "Log out</button>" in page
    assert 'href="/accounts/signup/"' not in page


def test_signup_with_a_taken_username_is_an_error_and_creates_no_second_user(member):
    client = Client()

    response = client.post("/accounts/signup/", signup_data(username="alice"))

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert "already exists" in response.content.decode()
    assert User.objects.filter(username__iexact="alice").count() == 1
    assert session_user_id(client) is None


def test_signup_with_a_username_differing_only_in_case_is_refused(member):
    response = Client().post("/accounts/signup/", signup_data(username="ALICE"))

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="alice").count() == 1


def test_signup_with_mismatched_passwords_is_an_error():
    client = Client()

    response = client.post("/accounts/signup/", signup_data(password2=NEW_PASSWORD))

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert "didn’t match" in response.content.decode()
    assert not User.objects.filter(username="carol").exists()
    assert session_user_id(client) is None


def test_signup_with_a_weak_password_says_so_under_the_password_and_focuses_it():
    response = Client().post(
        "/accounts/signup/", signup_data(password1="12345678", password2="12345678")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"password1"}  # the confirmation matched: nothing to say there
    assert "This password is too common." in form.errors["password1"]
    assert focused_field(response.content.decode()) == "id_password1"
    assert not User.objects.filter(username="carol").exists()


def test_signup_focuses_the_first_field_with_an_error(member):
    taken = Client().post("/accounts/signup/", signup_data(username=member.username, password2="x"))
    assert focused_field(taken.content.decode()) == "id_username"
    mismatch = Client().post("/accounts/signup/", signup_data(password2=NEW_PASSWORD))
    assert set(mismatch.context["form"].errors) == {"password2"}
    assert focused_field(mismatch.content.decode()) == "id_password2"


def test_signed_in_member_visiting_signup_is_redirected_home(logged_in):
    response = logged_in.get("/accounts/signup/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signed_in_member_posting_signup_creates_nobody(logged_in, member):
    response = logged_in.post("/accounts/signup/", signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(username="carol").exists()
    assert session_user_id(logged_in) == str(member.pk)


def test_signup_goes_on_to_next_when_it_is_on_this_site(thread):
    page = f"/threads/{thread.pk}/?sort=newest"
    form = Client().get("/accounts/signup/", {"next": page}).content.decode()
    assert f'<input type="hidden" name="next" value="/threads/{thread.pk}/?sort=newest">' in form
    assert f'href="/accounts/login/?next=/threads/{thread.pk}/%3Fsort%3Dnewest">Log in</a>' in form
    response = Client().post("/accounts/signup/", signup_data(next=page))
    assert response.status_code == 302 and response["Location"] == page
    assert User.objects.filter(username="carol").exists()


@pytest.mark.parametrize(
    "next_page", ["https://evil.example/", "//evil.example/", "/\\evil.example/", ""]
)
def test_signup_ignores_a_next_that_leads_off_the_site(next_page):
    response = Client().post(f"/accounts/signup/?next={next_page}", signup_data(next=next_page))
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.filter(username="carol").exists()


def test_the_ways_in_lead_back_to_the_page_they_are_on(thread):
    page = Client().get(f"/threads/{thread.pk}/").content.decode()
    assert f'<a href="/accounts/login/?next=/threads/{thread.pk}/">Log in</a>' in page
    assert f'<a href="/accounts/signup/?next=/threads/{thread.pk}/">Sign up</a>' in page
    # On the login page, they keep leading where the visitor was going, not to itself.
    login = Client().get("/accounts/login/", {"next": f"/threads/{thread.pk}/"}).content.decode()
    assert f'<a href="/accounts/signup/?next=/threads/{thread.pk}/">Sign up</a>' in login
    assert login.count(f"?next=/threads/{thread.pk}/") == 3  # header's two and "New here?"
    assert "next=/accounts/" not in login
    signup = Client().get("/accounts/signup/", {"next": "//evil.example/"}).content.decode()
    assert "evil.example" not in signup


# --- log in and out ------------------------------------------------------------------------


def test_login_with_the_right_password_starts_a_session(member):
    client = Client()

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert session_user_id(client) == str(member.pk)


def test_login_follows_a_local_next_but_not_an_external_one(member):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/u/alice/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/u/alice/"

    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_with_a_wrong_password_is_refused(member):
    client = Client()

    response = client.post("/accounts/login/", {"username": "alice", "password": "not it"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "correct username and password" in response.content.decode()
    assert session_user_id(client) is None


def test_inactive_member_cannot_log_in(member):
    member.is_active = False
    member.save()
    client = Client()

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert session_user_id(client) is None
    assert not client.login(username="alice", password=PASSWORD)


def test_logout_by_get_is_refused_and_keeps_the_session(logged_in, member):
    response = logged_in.get("/accounts/logout/")

    assert response.status_code == 405
    assert session_user_id(logged_in) == str(member.pk)


def test_logout_by_post_ends_the_session(logged_in, member):
    response = logged_in.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert session_user_id(logged_in) is None
    home = logged_in.get("/").content.decode()
    assert "Log out</button>" not in home
    assert 'href="/accounts/signup/?next=/"' in home
    # pages needing a login now send the visitor to log in
    response = logged_in.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_logout_without_a_csrf_token_is_refused(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    assert session_user_id(client) == str(member.pk)


# --- password change -----------------------------------------------------------------------


def test_password_change_needs_a_login():
    response = Client().get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


def test_password_change_anonymous_post_changes_nothing(member):
    response = Client().post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_change_replaces_the_old_password(logged_in, member):
    response = logged_in.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert logged_in.get(response["Location"]).status_code == 200
    assert session_user_id(logged_in) == str(member.pk)  # this session stays signed in
    assert not Client().login(username="alice", password=PASSWORD)
    assert Client().login(username="alice", password=NEW_PASSWORD)
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert session_user_id(client) is None


def test_password_change_with_a_wrong_old_password_changes_nothing(logged_in, member):
    response = logged_in.post(
        "/accounts/password_change/",
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert not member.check_password(NEW_PASSWORD)


def test_password_change_ends_other_sessions_of_the_member(member):
    elsewhere = Client()
    elsewhere.force_login(member)
    here = Client()
    here.force_login(member)

    response = here.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert elsewhere.get("/").context["user"].is_anonymous
    assert here.get("/").context["user"] == member


# --- profiles ------------------------------------------------------------------------------


@pytest.fixture
def alice_posts(thread, member, other_member):
    """alice's opening post and two replies, one of them deleted; bob's posts around them."""
    bob_thread = make_thread(author=other_member, title="Bob asks", body="bob opening words")
    reply = make_reply(bob_thread.opening_post, author=member, body="alice answers bob")
    deleted = make_reply(thread.opening_post, author=member, body="alice regrets this")
    post_delete(post=deleted, actor=member)
    bobs_reply = make_reply(thread.opening_post, author=other_member, body="bob disagrees")
    return {
        "visible": [thread.opening_post, reply],
        "deleted": deleted,
        "bob": [bob_thread.opening_post, bobs_reply],
    }


def test_profile_lists_the_members_visible_posts_with_links(alice_posts):
    response = Client().get("/u/alice/")

    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["member"].username == "alice"
    assert [post.pk for post in response.context["page"]] == [
        post.pk for post in reversed(alice_posts["visible"])
    ]  # newest first
    for post in alice_posts["visible"]:
        assert f'href="/posts/{post.pk}/"' in page
    assert "Opening post" in page
    assert "alice answers bob" in page
    assert "2 posts" in page


def test_profile_does_not_list_deleted_posts(alice_posts):
    page = Client().get("/u/alice/").content.decode()

    deleted = alice_posts["deleted"]
    assert f'href="/posts/{deleted.pk}/"' not in page
    assert "alice regrets this" not in page


def test_profile_does_not_list_other_members_posts(alice_posts):
    page = Client().get("/u/alice/").content.decode()

    for post in alice_posts["bob"]:
        assert f'href="/posts/{post.pk}/"' not in page
    assert "bob disagrees" not in page
    assert "bob opening words" not in page


def test_profile_of_a_member_without_posts_says_so():
    UserFactory(username="dora")

    response = Client().get("/u/dora/")

    assert response.status_code == 200
    assert "No posts yet." in response.content.decode()


def test_profile_of_an_unknown_member_is_404(member):
    assert Client().get("/u/nobody/").status_code == 404


def test_profile_of_an_inactive_member_is_404(member):
    member.is_active = False
    member.save()

    assert Client().get("/u/alice/").status_code == 404


@pytest.mark.parametrize("username", [".", "..", "-_-"])
def test_a_username_without_a_letter_or_digit_is_refused(username):
    password = "a-Long-pass-9"
    data = {"username": username, "email": "", "password1": password, "password2": password}
    response = Client().post("/accounts/signup/", data)
    assert response.status_code == 200
    assert "at least one letter or digit" in response.content.decode()
    assert not get_user_model().objects.filter(username=username).exists()


# --- profile lists, bio and settings -------------------------------------------------------


@pytest.fixture
def alice_claims(thread, member, other_member):
    """alice's claim «Fair use» (on the built map) and her dispute of bob's «Copies»."""
    make_reply(thread.opening_post, author=member, tags=[TagInput("Fair use", "supports")])
    make_reply(thread.opening_post, author=other_member, tags=[TagInput("Copies", "supports")])
    endorsement_set(claim=Claim.objects.get(text="Copies"), member=member, stance="opposes")
    map_build(topic_id=thread.topic_id)


def test_the_claims_tab_lists_claims_made_with_their_strength_and_standing(alice_claims):
    page = Client().get("/u/alice/", {"show": "claims"}).content.decode()

    assert "Fair use" in page and "Copies" not in page
    assert 'class="strength-bar' in page and "standing-in" in page
    assert 'aria-current="page">Claims made' in page


def test_the_endorsements_tab_says_endorses_or_disputes(alice_claims):
    page = Client().get("/u/alice/", {"show": "endorsements"}).content.decode()

    assert "Copies" in page and "disputes" in page and "Fair use" not in page


def test_an_unknown_tab_shows_the_posts(alice_posts):
    response = Client().get("/u/alice/", {"show": "<script>"})
    assert response.status_code == 200 and response.context["show"] == "posts"


def test_the_lists_page_twenty_at_a_time(member, thread):
    for number in range(23):
        claim_create(topic=thread.topic, author=member, text=f"Claim number {number}")

    first = Client().get("/u/alice/", {"show": "claims"}).content.decode()
    second = Client().get("/u/alice/", {"show": "claims", "page": 2}).content.decode()

    assert "Claim number 22" in first and "Claim number 2<" not in first
    assert "Page 1 of 2" in first and "show=claims&amp;page=2" in first
    assert "Claim number 0" in second and "Claim number 22" not in second


def test_the_bio_shows_on_the_profile_and_only_its_owner_gets_the_edit_link(member, logged_in):
    profile_edit(member=member, editor=member, bio="I *read* papers.")

    mine = logged_in.get("/u/alice/").content.decode()
    theirs = Client().get("/u/alice/").content.decode()

    assert "I <em>read</em> papers." in mine and "I <em>read</em> papers." in theirs
    assert 'href="/settings/#profile"' in mine and 'href="/settings/#profile"' not in theirs


def test_a_member_edits_their_bio_on_the_one_settings_page(member, logged_in):
    page = logged_in.get("/settings/").content.decode()
    assert 'action="/settings/bio/"' in page and 'name="bio"' in page
    assert 'name="watch_by_default"' in page  # the notifications' form, on the same page

    response = logged_in.post("/settings/bio/", {"bio": "Hello **there**"})

    assert response.status_code == 302 and response["Location"] == "/u/alice/"
    member.refresh_from_db()
    assert member.bio_html.strip() == "<p>Hello <strong>there</strong></p>"


def test_a_refused_bio_comes_back_with_the_error_on_the_settings_page(member, logged_in):
    response = logged_in.post("/settings/bio/", {"bio": "x" * 2001})

    page = response.content.decode()
    assert response.status_code == 200 and 'class="errors"' in page
    assert 'name="watch_by_default"' in page
    member.refresh_from_db()
    assert member.bio == ""


def test_saving_the_notification_settings_leaves_the_bio(member, logged_in):
    profile_edit(member=member, editor=member, bio="Kept.")
    logged_in.post("/settings/", {"email": "none", "email_address": ""})
    member.refresh_from_db()
    assert member.bio == "Kept."


def test_the_bio_is_only_posted():
    assert Client().get("/settings/bio/").status_code == 405


def test_visitors_are_sent_to_log_in_from_the_settings_page():
    response = Client().post("/settings/bio/", {"bio": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
