import sys

from django.shortcuts import render
from django.views import defaults

from config.middleware import database_error_response

TOO_MANY = 429


def rate_limited(request, exception):
    """django-ratelimit's refusal: a clear page, not a 403."""
    context = {
        "message": "You are posting faster than this forum allows. Wait a minute, then try again."
    }
    return render(request, "429.html", context, status=TOO_MANY)


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' refusal after too many failed logins."""
    context = {
        "message": "Too many failed logins for this account from your address. "
        "Wait 15 minutes, or reset your password, then try again."
    }
    return render(request, "429.html", context, status=TOO_MANY)


def server_error(request):
    """Django's 500 page, except for a database error that saved nothing: its 503 also when
    the error came from outside a view (a middleware), where process_exception never sees it."""
    return database_error_response(request, sys.exc_info()[1]) or defaults.server_error(request)
