from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


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
UNAVAILABLE_MESSAGE = (
    "The database is restarting or out of reach: nothing was saved; try again in a few seconds."
)
UNAVAILABLE_RETRY_AFTER = 5  # seconds; a PostgreSQL restart refuses connections for about one
# PostgreSQL: connection exceptions (class 08); the server shutting down, crashed or starting
UNAVAILABLE = ("08", "57P01", "57P02", "57P03")


def is_retryable(error: Exception) -> bool:
    """A database conflict that rolled the transaction back: trying again can succeed."""
    return (
        isinstance(error, OperationalError)
        and getattr(error.__cause__, "sqlstate", None) in RETRYABLE
    )


def is_database_unavailable(error: Exception | None) -> bool:
    """The database refused, dropped or lost the connection: the transaction, if any, was
    rolled back (unless the connection went during its COMMIT, which no client can tell),
    and the same request can succeed once the database is back."""
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    # psycopg gives no SQLSTATE when it never reached the server or lost it mid-statement
    return sqlstate is None or sqlstate.startswith(UNAVAILABLE)


def database_error_response(request, error: Exception | None) -> HttpResponse | None:
    """The 503 page for a database error that saved nothing, or None for any other error."""
    if is_retryable(error):
        return render(request, "503.html", status=503)
    if is_database_unavailable(error):
        # Rendered without the request: the header's member would need the database.
        page = render_to_string("503.html", {"message": UNAVAILABLE_MESSAGE})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return response
    return None


class DatabaseConflictMiddleware:
    """A write that lost a deadlock, or met a database that is out of reach, was rolled back
    whole: say so, with a 503, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_error_response(request, exception)
