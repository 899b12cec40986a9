from apps.accounts.decorators import safe_next
from apps.notifications.selectors import unread_for_header

AUTH_PAGES = {"login", "signup"}


def unread_notifications(request) -> dict:
    """How many notifications the member has not seen, for the header (one query, members only)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"unread_notifications": unread_for_header(user)}


def login_next(request) -> dict:
    """Where the header's "Log in" and "Sign up" lead back to, for visitors: this page, or on
    the login and sign-up pages the page the visitor came from (their own `next`)."""
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return {}
    match = request.resolver_match
    if match and match.url_name in AUTH_PAGES:
        given = request.POST.get("next") or request.GET.get("next")
        return {"login_next": safe_next(request, given)}
    return {"login_next": request.get_full_path()}
