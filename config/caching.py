"""A short-lived page cache for visitors who are not logged in."""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse


def cache_for_visitors(view):
    """Serve visitors a copy at most settings.VISITOR_PAGE_SECONDS old, kept in each web
    worker's memory. Their pages carry nothing personal (no form token, no name), so one
    copy serves them all; members bypass it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.VISITOR_PAGE_SECONDS
        if (
            not seconds
            or request.method != "GET"
            or request.user.is_authenticated
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        pages = caches["visitor_pages"]
        key = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        cached = pages.get(key)
        if cached is not None:
            return HttpResponse(cached)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            pages.set(key, response.content, seconds)
        return response

    return wrapped
