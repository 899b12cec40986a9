from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render


class ContentSecurityPolicyMiddleware:
    """Every page may run only the site's own scripts and styles: nothing inline, so a
    script that slipped into a post could not run even if the sanitizer missed it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{name} {value}" for name, value in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


CONFLICT_MESSAGE = "The forum was busy with the same rows: nothing was saved. Please send it again."
RETRYABLE = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def is_retryable(error: Exception) -> bool:
    """A database conflict that rolled the transaction back: trying again can succeed."""
    return (
        isinstance(error, OperationalError)
        and getattr(error.__cause__, "sqlstate", None) in RETRYABLE
    )


class DatabaseConflictMiddleware:
    """A write that lost a deadlock was rolled back whole: say so, with a 503, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_retryable(exception):
            return render(request, "503.html", status=503)
        return None
