"""Logging in leads back to where the visitor was: the `next` of every way in, and
login_required_to, the login_required of the views that htmx calls."""

from functools import wraps
from urllib.parse import urlsplit, urlunsplit

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

LOG_IN_TO = "accounts/partials/log_in_to.html"


def safe_next(request, url: str | None) -> str:
    """`url` as a path on this site (with its query and fragment), or "" when it leads
    elsewhere: a `next` from a request is never followed off the site."""
    if not url or not _is_ours(request, url):
        return ""
    parts = urlsplit(url)
    path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return path if _is_ours(request, path) else ""  # "//host" once the scheme is gone


def _is_ours(request, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def came_from(request) -> str:
    """The page to come back to after logging in: a GET's own page; for a form sent from a
    page, that page (htmx names it in HX-Current-URL, a browser in Referer), else home."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    page = request.headers.get("HX-Current-URL") or request.headers.get("Referer")
    return safe_next(request, page) or resolve_url("forum:home")


def login_required_to(action: str):
    """Django's login_required for views that htmx calls too. A visitor's htmx request is
    answered with a fragment, "Log in to <action> or sign up", swapped in where the form
    would have gone, never with the login page inside the page; any other request goes to
    the login page. Either way, logging in leads back to came_from(request)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            next_page = came_from(request)
            if request.headers.get("HX-Request"):
                return render(request, LOG_IN_TO, {"action": action, "next": next_page})
            return redirect_to_login(next_page)

        return wrapped

    return decorator
