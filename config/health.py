from django.db import connection
from django.http import HttpResponse


def healthz(request):
    """For load balancers and the compose healthcheck: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
